"""System-wide reads on accounts for system admins (the users table has no team). Nothing here
is filtered by team: only routes that require ``system:admin`` reach it. Each team-owned
table's totals per team are in that table's own repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.repository import keyset
from folio.teams.models import Team
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
