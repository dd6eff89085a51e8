"""Queries on the audit trail, always starting from the principal's teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, or_, select

from folio.audit.models import AuditEntry
from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None  # a user id or a key id
    action: str | None = None  # exact, or a prefix ending in "." or "*": "documents.*"
    resource_type: str | None = None
    resource_id: str | None = None
    outcome: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


class AuditRepository(TeamScopedRepository[AuditEntry]):
    model = AuditEntry

    async def by_actor(self, user_id: str, *, limit: int) -> Sequence[AuditEntry]:
        """Every team's entries made by ``user_id``, newest first: the account's own data
        export (a person's requests, wherever they were made)."""
        statement = (
            select(AuditEntry)
            .where(AuditEntry.actor_user_id == user_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        return await self.get_all(statement)

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(AuditEntry), list(rows))

    async def prune_before(self, moment: datetime) -> int:
        """Every team's: the periodic retention job acts for the system."""
        result = await self.session.execute(
            delete(AuditEntry).where(AuditEntry.created_at < moment)
        )
        return rowcount(result) or 0

    async def list_page(
        self, principal: Principal, filters: AuditFilters, *, limit: int, before: str | None
    ) -> Sequence[AuditEntry]:
        """Newest first; ``before`` is the last id of the previous page."""
        statement = self._apply_filters(self.readable(principal), filters)
        return await self.page_before(statement, limit=limit, before=before)

    def _apply_filters(
        self, statement: Select[AuditEntry], filters: AuditFilters
    ) -> Select[AuditEntry]:
        if filters.actor is not None:
            statement = statement.where(
                or_(
                    AuditEntry.actor_user_id == filters.actor,
                    AuditEntry.actor_key_id == filters.actor,
                )
            )
        if filters.action is not None:
            action = filters.action.removesuffix("*")
            if action.endswith("."):
                statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
            else:
                statement = statement.where(AuditEntry.action == action)
        if filters.resource_type is not None:
            statement = statement.where(AuditEntry.resource_type == filters.resource_type)
        if filters.resource_id is not None:
            statement = statement.where(AuditEntry.resource_id == filters.resource_id)
        if filters.outcome is not None:
            statement = statement.where(AuditEntry.outcome == filters.outcome)
        if filters.created_after is not None:
            statement = statement.where(AuditEntry.created_at >= filters.created_after)
        if filters.created_before is not None:
            statement = statement.where(AuditEntry.created_at < filters.created_before)
        return statement
