from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.events.catalog import SYSTEM_TEAM_ID
from folio.events.models import EventRecord


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> EventRepository:
        return cls(session)

    def add(self, record: EventRecord) -> None:
        self.session.add(record)

    async def after(
        self, principal: Principal, last_event_id: str, *, limit: int
    ) -> Sequence[EventRecord]:
        """The principal's teams' events and the system-wide ones, after ``last_event_id``."""
        visible = or_(
            EventRecord.team_id.in_(principal.team_ids), EventRecord.team_id == SYSTEM_TEAM_ID
        )
        statement = (
            select(EventRecord)
            .where(visible, EventRecord.id > last_event_id)
            .order_by(EventRecord.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def latest_system(self, type_: str) -> EventRecord | None:
        return await self.session.scalar(
            select(EventRecord)
            .where(EventRecord.team_id == SYSTEM_TEAM_ID, EventRecord.type == type_)
            .order_by(EventRecord.id.desc())
            .limit(1)
        )

    async def list_page(
        self, principal: Principal, *, after: str | None, types: list[str], limit: int
    ) -> Sequence[EventRecord]:
        teams = set(principal.team_ids)
        if any(t.startswith("system.") for t in types):
            teams.add(SYSTEM_TEAM_ID)  # system-wide events are listed when asked for by type
        statement = (
            select(EventRecord)
            .where(EventRecord.team_id.in_(teams))
            .order_by(EventRecord.id)
            .limit(limit + 1)
        )
        if after is not None:
            statement = statement.where(EventRecord.id > after)
        if types:
            statement = statement.where(EventRecord.type.in_(types))
        return (await self.session.scalars(statement)).all()

    async def delete_before(self, moment: datetime) -> int:
        result = await self.session.execute(
            delete(EventRecord).where(EventRecord.created_at < moment)
        )
        return rowcount(result) or 0
