"""Events: stored with the change that caused them, published once it is committed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import Periodic
from folio.core.db import utcnow
from folio.core.events import Event, publish_after_commit
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.events.models import EventRecord
from folio.events.repository import EventRepository

CATCH_UP_LIMIT = 1000
logger = logging.getLogger("folio.events")


class EventService:
    async def emit(self, session: AsyncSession, runtime: Runtime, event: Event) -> None:
        """Adds the event to the log, hands it to the runtime's consumers (webhook
        deliveries, notifications) in this unit of work, and publishes it after commit: a
        rolled-back change leaves no record, no delivery and no announcement."""
        await self.emit_many(session, runtime, [event])

    async def emit_many(
        self, session: AsyncSession, runtime: Runtime, events: Sequence[Event]
    ) -> None:
        """:meth:`emit` for many events (a batch upload's): each consumer sees them all at
        once, and they are published in order after commit."""
        repository = EventRepository.from_session(session)
        for event in events:
            repository.add(
                EventRecord(
                    id=event.id,
                    team_id=event.team_id,
                    type=event.type,
                    created_at=event.created_at,
                    data=event.data,
                )
            )
        for consume in runtime.event_consumers:
            await consume(session, runtime, events)
        publish_after_commit(session, runtime.bus, *events)

    async def since(
        self, session: AsyncSession, principal: Principal, last_event_id: str
    ) -> Sequence[Event]:
        records = await EventRepository.from_session(session).after(
            principal, last_event_id, limit=CATCH_UP_LIMIT
        )
        return [
            Event(id=r.id, type=r.type, created_at=r.created_at, team_id=r.team_id, data=r.data)
            for r in records
        ]

    async def latest_system(self, session: AsyncSession, type_: str) -> Event | None:
        """The last system-wide event of a type (e.g. the maintenance announcement in force)."""
        record = await EventRepository.from_session(session).latest_system(type_)
        if record is None:
            return None
        return Event(
            id=record.id,
            type=record.type,
            created_at=record.created_at,
            team_id=record.team_id,
            data=record.data,
        )

    async def list_events(
        self, session: AsyncSession, principal: Principal, page: PageParams, types: list[str]
    ) -> Page[EventRecord]:
        """Oldest first, so ``next_cursor`` is where to resume: polling clients catch up."""
        rows = await EventRepository.from_session(session).list_page(
            principal, after=page.after, types=types, limit=page.limit
        )
        return Page.from_rows(rows, page.limit, cursor=lambda record: record.id)

    async def prune(self, session: AsyncSession, *, retention: timedelta) -> int:
        return await EventRepository.from_session(session).delete_before(utcnow() - retention)


def event_log_pruning(runtime: Runtime, *, every_s: float = 3600) -> Periodic:
    """Keeps the event log bounded: deletes events older than the retention, hourly."""
    retention = timedelta(days=runtime.settings.event_retention_days)

    async def prune() -> None:
        async with runtime.db.session() as session:
            await event.prune(session, retention=retention)

    return Periodic("folio-event-pruning", prune, every_s)


event = EventService()
