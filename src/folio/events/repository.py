from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.events.catalog import SYSTEM_TEAM_ID
from folio.events.models import EventRecord


class EventRepository(TeamScopedRepository[EventRecord]):
    model = EventRecord

    def readable(self, principal: Principal, *, system: bool = False) -> Select[EventRecord]:
        """The principal's teams' events; with ``system`` the system-wide ones as well."""
        teams = principal.team_ids | {SYSTEM_TEAM_ID} if system else principal.team_ids
        return self.scoped_to(teams)

    def add(self, record: EventRecord) -> None:
        self.session.add(record)

    async def after(
        self, principal: Principal, last_event_id: str, *, limit: int
    ) -> Sequence[EventRecord]:
        """The principal's teams' events and the system-wide ones, after ``last_event_id``."""
        statement = (
            self.readable(principal, system=True)
            .where(EventRecord.id > last_event_id)
            .order_by(EventRecord.id)
            .limit(limit)
        )
        return await self.get_all(statement)

    async def latest_system(self, type_: str) -> EventRecord | None:
        return await self.get_one_or_none(
            self.owned_by(SYSTEM_TEAM_ID)
            .where(EventRecord.type == type_)
            .order_by(EventRecord.id.desc())
            .limit(1)
        )

    async def list_page(
        self, principal: Principal, *, after: str | None, types: list[str], limit: int
    ) -> Sequence[EventRecord]:
        # system-wide events are listed when asked for by type
        system = any(t.startswith("system.") for t in types)
        statement = self.readable(principal, system=system)
        if types:
            statement = statement.where(EventRecord.type.in_(types))
        return await self.page_after(statement, limit=limit, after=after)

    async def delete_before(self, moment: datetime) -> int:
        """Every team's: the periodic retention job acts for the system."""
        result = await self.session.execute(
            delete(EventRecord).where(EventRecord.created_at < moment)
        )
        return rowcount(result) or 0
