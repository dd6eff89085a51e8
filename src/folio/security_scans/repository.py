from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.pipeline.intelligence.types import Severity
from folio.security_scans.models import SecurityEvent, SecurityEventType


@dataclass(frozen=True)
class EventFilters:
    document_id: str | None = None
    severities: frozenset[Severity] | None = None
    type: SecurityEventType | None = None
    code: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


class SecurityEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> SecurityEventRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[SecurityEvent]:
        return select(SecurityEvent).where(SecurityEvent.team_id.in_(principal.team_ids))

    async def list_page(
        self, principal: Principal, filters: EventFilters, *, limit: int, before: str | None
    ) -> Sequence[SecurityEvent]:
        statement = self.readable(principal).order_by(SecurityEvent.id.desc()).limit(limit + 1)
        if before is not None:
            statement = statement.where(SecurityEvent.id < before)
        if filters.document_id is not None:
            statement = statement.where(SecurityEvent.document_id == filters.document_id)
        if filters.severities is not None:
            statement = statement.where(SecurityEvent.severity.in_(filters.severities))
        if filters.type is not None:
            statement = statement.where(SecurityEvent.type == filters.type)
        if filters.code is not None:
            statement = statement.where(SecurityEvent.code == filters.code)
        if filters.created_after is not None:
            statement = statement.where(SecurityEvent.created_at >= filters.created_after)
        if filters.created_before is not None:
            statement = statement.where(SecurityEvent.created_at < filters.created_before)
        return (await self.session.scalars(statement)).all()

    async def add_all(self, events: Sequence[SecurityEvent]) -> None:
        self.session.add_all(events)
        await self.session.flush()
