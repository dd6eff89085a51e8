"""The event envelope and the bus that carries it (in-memory when embedded, Redis pub/sub
when several processes publish and every API process must deliver)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

import redis.asyncio as redis
from pydantic import BaseModel, Field, ValidationError
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id

logger = logging.getLogger("folio.events")
CHANNEL = "folio:events"
RECONNECT_MAX_S = 5.0
# internal: travels on the bus only, for the WebSocket hubs of every API process. It is not
# stored in the event log, so no webhook, notification or catch-up ever carries it, and the
# hub consumes it instead of delivering it to a socket
ACCESS_CHANGED = "access.changed"
ACCESS_SCOPES = ("team_id", "user_id", "key_id", "session_id")
_ACCESS_CHANGES = "folio_access_changes"


class Event(BaseModel):
    id: str = Field(default_factory=lambda: new_id(IdPrefix.event))
    type: str
    created_at: datetime = Field(default_factory=utcnow)
    team_id: str
    data: dict[str, Any] = Field(default_factory=dict)


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def subscribe(
        self, *, maxsize: int = 1000
    ) -> AbstractAsyncContextManager[asyncio.Queue[Event]]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class InMemoryEventBus:
    """Fan-out to per-subscriber bounded queues; a full queue drops that subscriber's event."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, event: Event) -> None:
        self.deliver(event)

    def deliver(self, event: Event) -> None:
        for queue in list(self._subscribers):
            if not queue.full():
                queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, *, maxsize: int = 1000) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)


class RedisEventBus:
    """Publishes to one Redis channel; one listener per process feeds the local subscribers.

    Every process publishes (API and workers); only processes that ``start()`` listen. The
    listener reconnects by itself after Redis restarts. Events published while Redis is down
    are not replayed by the bus: they are in the event log, where WebSocket clients catch up.
    """

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=5, health_check_interval=15, retry_on_timeout=True
        )
        self._local = InMemoryEventBus()
        self._listener: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen_forever(), name="folio-event-bus")

    async def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._client.aclose()

    async def publish(self, event: Event) -> None:
        try:
            await self._client.publish(CHANNEL, event.model_dump_json())
        except (RedisError, OSError):
            logger.warning("event %s not published: Redis is unreachable", event.id)

    @asynccontextmanager
    async def subscribe(self, *, maxsize: int = 1000) -> AsyncIterator[asyncio.Queue[Event]]:
        async with self._local.subscribe(maxsize=maxsize) as queue:
            yield queue

    async def _listen_forever(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                await self._listen()
            except (RedisError, OSError) as error:
                if self.connected.is_set():
                    backoff = 0.1  # it was working: retry at once, then back off
                self.connected.clear()
                logger.warning("event bus lost Redis (%s); reconnecting", type(error).__name__)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _listen(self) -> None:
        async with self._client.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(CHANNEL)
            self.connected.set()
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None:
                    self._deliver_raw(message["data"])

    def _deliver_raw(self, raw: bytes) -> None:
        try:
            self._local.deliver(Event.model_validate_json(raw))
        except ValidationError:
            logger.warning("ignored a malformed event on %s", CHANNEL)


def build_event_bus(redis_url: str | None) -> EventBus:
    return RedisEventBus(redis_url) if redis_url else InMemoryEventBus()


def publish_after_commit(session: AsyncSession, bus: EventBus, *events: Event) -> None:
    """Events describe committed state only: a rolled-back change announces nothing."""

    async def publish() -> None:
        for event in events:
            await bus.publish(event)

    after_commit(session, publish)


def access_changed(
    session: AsyncSession,
    *,
    team_id: str | None = None,
    user_id: str | None = None,
    key_id: str | None = None,
    session_id: str | None = None,
) -> None:
    """Notes that what a credential may do changed (a member removed, a role, key or session
    changed). Once ``session`` commits, an ``access.changed`` event naming the given ids goes
    on the bus (see :func:`access_change_publisher`), and every open WebSocket connection
    matching all of them re-checks its credential; a rolled-back change announces nothing."""
    given = {"team_id": team_id, "user_id": user_id, "key_id": key_id, "session_id": session_id}
    ids = tuple((name, value) for name, value in given.items() if value is not None)
    changes: list[tuple[tuple[str, str], ...]] = session.info.setdefault(_ACCESS_CHANGES, [])
    if ids not in changes:
        changes.append(ids)


def access_change_publisher(bus: EventBus) -> Callable[[AsyncSession], Awaitable[None]]:
    """The commit hook that publishes what :func:`access_changed` noted in a unit of work."""

    async def publish(session: AsyncSession) -> None:
        for ids in session.info.pop(_ACCESS_CHANGES, []):
            data = dict(ids)
            await bus.publish(
                Event(type=ACCESS_CHANGED, team_id=data.get("team_id", ""), data=data)
            )

    return publish
