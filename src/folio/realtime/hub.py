"""Fans events out to WebSocket connections, each with its own bounded queue.

Dispatch never waits on a client: a connection whose queue is full is marked overflowed and
closed by its endpoint, so one slow consumer cannot stall the others.

The internal ``access.changed`` event is consumed here, never delivered: each connection it
concerns is marked stale, holds back its events and re-checks its credential
(``RealtimeService``), in every API process since each one hears the whole bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from folio.core.db import utcnow
from folio.core.errors import FolioError
from folio.core.events import ACCESS_CHANGED, ACCESS_SCOPES, Event, EventBus
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.events.catalog import ANALYTICS_REALTIME
from folio.metrics.collectors import observe_event_lag

logger = logging.getLogger("folio.realtime")
TEAM, SYSTEM = "team", "system"
PERSONAL = "system.notification"
# event types that need more than documents:read (which every connection has)
REQUIRED_PERMISSION = {ANALYTICS_REALTIME: Permission.analytics_read}
# notices for every connected user, whatever they subscribed to
ALWAYS_DELIVERED = frozenset({"system.broadcast", "system.maintenance"})


class TooManyConnections(FolioError):
    status = 429
    code = "TOO_MANY_CONNECTIONS"
    title = "Too many open WebSocket connections"


def channel_matches(channel: str, event: Event) -> bool:
    if channel == TEAM:
        return not event.type.startswith("system.")
    if channel == SYSTEM:
        return event.type.startswith("system.")
    kind, _, resource_id = channel.partition(":")
    return bool(resource_id) and event.data.get(f"{kind}_id") == resource_id


@dataclass(eq=False)
class Connection:
    principal: Principal
    queue: asyncio.Queue[Event]
    id: str = field(default_factory=lambda: new_id(IdPrefix.connection))
    channels: set[str] = field(default_factory=set)
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    replayed_up_to: str = ""  # live events at or below this id were sent by the catch-up
    stale: asyncio.Event = field(default_factory=asyncio.Event)  # a re-check is due
    # cleared from an access change until the re-check passed: no event is sent meanwhile
    verified: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.verified.set()

    def concerned_by(self, ids: Mapping[str, Any]) -> bool:
        """Whether an access change naming ``ids`` may concern this connection: every id it
        names matches (a change naming only a team concerns all of that team's sockets)."""
        own = {
            "user_id": self.principal.user_id,
            "key_id": self.principal.key_id,
            "session_id": self.principal.session_id,
        }
        for name in ACCESS_SCOPES:
            wanted = ids.get(name)
            if wanted is None:
                continue
            if name == "team_id" and wanted not in self.principal.team_ids:
                return False
            if name != "team_id" and wanted != own[name]:
                return False
        return True

    def mark_stale(self) -> None:
        self.verified.clear()
        self.stale.set()

    @property
    def owner(self) -> str:
        return self.principal.user_id or self.principal.key_id or self.principal.team_id

    def wants(self, event: Event) -> bool:
        if event.type in ALWAYS_DELIVERED:
            return True
        if event.type == PERSONAL and event.data.get("user_id") != self.principal.user_id:
            return False  # a notification is for one person only
        needed = REQUIRED_PERMISSION.get(event.type)
        if needed is not None and not self.principal.can(needed):
            return False
        visible = event.team_id in self.principal.team_ids or event.type.startswith("system.")
        return visible and any(channel_matches(c, event) for c in self.channels)


class Hub:
    def __init__(self, bus: EventBus, *, queue_size: int, max_per_user: int) -> None:
        self.bus = bus
        self.bus_name = "redis" if type(bus).__name__.startswith("Redis") else "memory"
        self.queue_size = queue_size
        self.max_per_user = max_per_user
        self.connections: set[Connection] = set()
        self._by_team: defaultdict[str, set[Connection]] = defaultdict(set)
        self._per_owner: Counter[str] = Counter()
        self._task: asyncio.Task[None] | None = None

    def register(self, principal: Principal) -> Connection:
        connection = Connection(principal, asyncio.Queue(maxsize=self.queue_size))
        if self._per_owner[connection.owner] >= self.max_per_user:
            raise TooManyConnections(f"At most {self.max_per_user} connections per user.")
        self._per_owner[connection.owner] += 1
        self.connections.add(connection)
        for team_id in principal.team_ids:
            self._by_team[team_id].add(connection)
        return connection

    def unregister(self, connection: Connection) -> None:
        if connection in self.connections:
            self.connections.discard(connection)
            self._per_owner[connection.owner] -= 1
            for team_id in connection.principal.team_ids:
                self._by_team[team_id].discard(connection)
                if not self._by_team[team_id]:
                    del self._by_team[team_id]

    def reauthorised(self, connection: Connection, principal: Principal) -> None:
        """The connection's credential was re-checked: it acts with ``principal`` from now."""
        if connection not in self.connections:
            return
        for team_id in connection.principal.team_ids - principal.team_ids:
            self._by_team[team_id].discard(connection)
            if not self._by_team[team_id]:
                del self._by_team[team_id]
        for team_id in principal.team_ids:
            self._by_team[team_id].add(connection)
        connection.principal = principal

    def access_changed(self, ids: Mapping[str, Any]) -> None:
        for connection in list(self.connections):
            if connection.concerned_by(ids):
                connection.mark_stale()

    def dispatch(self, event: Event) -> None:
        """Only the event's team's connections are looked at (system events go to all)."""
        if event.type == ACCESS_CHANGED:
            self.access_changed(event.data)
            return
        audience = (
            self.connections
            if event.type.startswith("system.")
            else self._by_team.get(event.team_id, ())
        )
        for connection in list(audience):
            if not connection.wants(event) or connection.overflowed.is_set():
                continue
            try:
                connection.queue.put_nowait(event)
            except asyncio.QueueFull:
                logger.warning("dropping slow WebSocket consumer %s", connection.id)
                connection.overflowed.set()

    async def start(self) -> None:
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._listen(ready), name="folio-realtime-hub")
        await ready.wait()

    async def _listen(self, ready: asyncio.Event) -> None:
        async with self.bus.subscribe(maxsize=100_000) as events:
            ready.set()
            while True:
                event = await events.get()
                observe_event_lag(self.bus_name, (utcnow() - event.created_at).total_seconds())
                self.dispatch(event)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
