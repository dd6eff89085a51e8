from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
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


class SecurityEventRepository(TeamScopedRepository[SecurityEvent]):
    model = SecurityEvent

    async def list_page(
        self, principal: Principal, filters: EventFilters, *, limit: int, before: str | None
    ) -> Sequence[SecurityEvent]:
        statement = self.readable(principal)
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
        return await self.page_before(statement, limit=limit, before=before)

    async def add_all(self, events: Sequence[SecurityEvent]) -> None:
        self.session.add_all(events)
        await self.session.flush()
