"""Queries on the aggregated request log and the monthly counters, filtered by team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository, rows_of_existing_teams, team_scoped
from folio.documents.repository import DocumentRepository
from folio.usage.models import RequestUsage, UsageCounter

BUCKET_COLUMNS = ("day", "team_id", "key_id", "user_id", "method", "route")


class UsageRepository(TeamScopedRepository[RequestUsage]):
    model = RequestUsage

    def _insert(self, table: Any) -> Any:
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # ---- writes (the meter's flush and the upload check) ---------------------------------

    async def add_request_counts(self, rows: Sequence[dict[str, Any]]) -> None:
        """Adds counts to their (day, team, key, user, method, route) rows, creating them.
        Counts of a team deleted since the requests are dropped: one of them would fail the
        whole insert (foreign key) and the meter would retry it forever."""
        rows = await rows_of_existing_teams(self.session, rows)
        if not rows:
            return
        statement = self._insert(RequestUsage)
        table = RequestUsage.__table__.c
        statement = statement.on_conflict_do_update(
            index_elements=list(BUCKET_COLUMNS),
            set_={
                "requests": table.requests + statement.excluded.requests,
                "errors": table.errors + statement.excluded.errors,
                "latency_ms_total": table.latency_ms_total + statement.excluded.latency_ms_total,
                "updated_at": statement.excluded.updated_at,
            },
        )
        await self.session.execute(statement, list(rows))

    async def increment_documents(self, team_id: str, period_start: date, amount: int) -> int:
        statement = self._insert(UsageCounter).values(
            team_id=team_id, period_start=period_start, documents_processed=amount
        )
        statement = statement.on_conflict_do_update(
            index_elements=["team_id", "period_start"],
            set_={
                "documents_processed": UsageCounter.documents_processed
                + statement.excluded.documents_processed
            },
        ).returning(UsageCounter.documents_processed)
        return int((await self.session.execute(statement)).scalar_one())

    async def prune_before(self, day: date) -> int:
        """Every team's: the periodic retention job acts for the system."""
        result = await self.session.execute(delete(RequestUsage).where(RequestUsage.day < day))
        return rowcount(result) or 0

    async def processed_per_team(self, period_start: date) -> dict[str, int]:
        """Every team's documents this period: for system admins (``folio.admin``)."""
        statement = select(UsageCounter.team_id, UsageCounter.documents_processed).where(
            UsageCounter.period_start == period_start
        )
        return {team: int(n) for team, n in (await self.session.execute(statement)).all()}

    async def api_calls_per_team(self, start: date, end: date) -> dict[str, int]:
        """Every team's requests from ``start`` up to ``end``: for system admins."""
        statement = (
            select(RequestUsage.team_id, func.sum(RequestUsage.requests))
            .where(RequestUsage.day >= start, RequestUsage.day < end)
            .group_by(RequestUsage.team_id)
        )
        return {team: int(n or 0) for team, n in (await self.session.execute(statement)).all()}

    # ---- reads -----------------------------------------------------------------------------

    async def team_api_calls(self, team_id: str, start: date, end: date) -> int:
        """Requests of ``team_id`` from ``start`` up to (excluding) ``end``: the meter's quota
        check knows the team before any principal (and the usage service passes its own)."""
        statement = (
            self.owned_by(team_id)
            .with_only_columns(func.coalesce(func.sum(RequestUsage.requests), 0))
            .where(RequestUsage.day >= start, RequestUsage.day < end)
        )
        return int(await self.session.scalar(statement) or 0)

    async def documents_processed(self, principal: Principal, period_start: date) -> int:
        statement = (
            team_scoped(UsageCounter, principal.team_ids)
            .with_only_columns(UsageCounter.documents_processed)
            .where(
                UsageCounter.team_id == principal.team_id,
                UsageCounter.period_start == period_start,
            )
        )
        return int(await self.session.scalar(statement) or 0)

    async def storage_bytes(self, principal: Principal) -> int:
        documents = DocumentRepository.from_session(self.session).readable(principal).subquery()
        statement = select(func.coalesce(func.sum(documents.c.size_bytes), 0)).where(
            documents.c.team_id == principal.team_id
        )
        return int(await self.session.scalar(statement) or 0)

    def _key_rows(self, principal: Principal, key_id: str, start: date, end: date) -> Any:
        return (
            self.readable(principal)
            .where(
                RequestUsage.key_id == key_id, RequestUsage.day >= start, RequestUsage.day <= end
            )
            .subquery()
        )

    async def key_totals(
        self, principal: Principal, key_id: str, start: date, end: date
    ) -> tuple[int, int, float]:
        rows = self._key_rows(principal, key_id, start, end)
        statement = select(
            func.coalesce(func.sum(rows.c.requests), 0),
            func.coalesce(func.sum(rows.c.errors), 0),
            func.coalesce(func.sum(rows.c.latency_ms_total), 0.0),
        )
        requests, errors, latency = (await self.session.execute(statement)).one()
        return int(requests), int(errors), float(latency)

    async def key_top_routes(
        self, principal: Principal, key_id: str, start: date, end: date, *, limit: int
    ) -> Sequence[Row[str, str, int]]:
        rows = self._key_rows(principal, key_id, start, end)
        count = func.sum(rows.c.requests).label("count")
        statement = (
            select(rows.c.method, rows.c.route, count)
            .group_by(rows.c.method, rows.c.route)
            .order_by(count.desc(), rows.c.route, rows.c.method)
            .limit(limit)
        )
        return (await self.session.execute(statement)).all()

    async def key_daily(
        self, principal: Principal, key_id: str, start: date, end: date
    ) -> Sequence[Row[date, int, int]]:
        rows = self._key_rows(principal, key_id, start, end)
        statement = (
            select(rows.c.day, func.sum(rows.c.requests), func.sum(rows.c.errors))
            .group_by(rows.c.day)
            .order_by(rows.c.day)
        )
        return (await self.session.execute(statement)).all()
