"""The event envelope and the bus that carries it (in-memory when embedded)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id


class Event(BaseModel):
    id: str = Field(default_factory=lambda: new_id(IdPrefix.event))
    type: str
    created_at: datetime = Field(default_factory=utcnow)
    team_id: str
    data: dict[str, Any] = Field(default_factory=dict)


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    def subscribe(self, *, maxsize: int = 1000) -> AsyncIterator[asyncio.Queue[Event]]: ...


class InMemoryEventBus:
    """Fan-out to per-subscriber bounded queues; a full queue drops that subscriber's event."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()

    async def publish(self, event: Event) -> None:
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


def publish_after_commit(session: AsyncSession, bus: EventBus, event: Event) -> None:
    """Events describe committed state only: a rolled-back change announces nothing."""

    async def publish() -> None:
        await bus.publish(event)

    after_commit(session, publish)
