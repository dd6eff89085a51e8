"""System-wide reads for system admins: accounts and every team's totals. Nothing here is
filtered by team: only routes that require ``system:admin`` reach it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.repository import keyset
from folio.documents.models import Document
from folio.teams.models import Membership, Team
from folio.usage.models import RequestUsage, UsageCounter
from folio.users.models import User


class AdminRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> AdminRepository:
        return cls(session)

    async def users_page(
        self, *, query: str | None, active: bool | None, limit: int, after: str | None
    ) -> Sequence[User]:
        statement = select(User)
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern))
            )
        if active is not None:
            statement = statement.where(User.is_active.is_(active))
        statement = keyset(statement, User.id, limit=limit, cursor=after, newest_first=False)
        return (await self.session.scalars(statement)).all()

    async def user_counts(self) -> tuple[int, int]:
        total = await self.session.scalar(select(func.count()).select_from(User))
        active = await self.session.scalar(
            select(func.count()).select_from(User).where(User.is_active.is_(True))
        )
        return int(total or 0), int(active or 0)

    async def teams(self) -> Sequence[Team]:
        return (await self.session.scalars(select(Team).order_by(Team.id))).all()

    async def members_per_team(self) -> dict[str, int]:
        statement = (
            select(Membership.team_id, func.count())
            .where(Membership.status == "active")
            .group_by(Membership.team_id)
        )
        return {team: int(n) for team, n in (await self.session.execute(statement)).all()}

    async def documents_per_team(self) -> dict[str, tuple[int, int]]:
        """{team: (documents, bytes of originals still stored)}."""
        stored = func.sum(
            case((Document.original_deleted_at.is_(None), Document.size_bytes), else_=0)
        )
        statement = select(Document.team_id, func.count(), stored).group_by(Document.team_id)
        rows = (await self.session.execute(statement)).all()
        return {team: (int(n), int(size or 0)) for team, n, size in rows}

    async def processed_per_team(self, period_start: date) -> dict[str, int]:
        statement = select(UsageCounter.team_id, UsageCounter.documents_processed).where(
            UsageCounter.period_start == period_start
        )
        return {team: int(n) for team, n in (await self.session.execute(statement)).all()}

    async def api_calls_per_team(self, start: date, end: date) -> dict[str, int]:
        statement = (
            select(RequestUsage.team_id, func.sum(RequestUsage.requests))
            .where(RequestUsage.day >= start, RequestUsage.day < end)
            .group_by(RequestUsage.team_id)
        )
        return {team: int(n or 0) for team, n in (await self.session.execute(statement)).all()}
