from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.teams.models import Team


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> TeamRepository:
        return cls(session)

    async def get_by_slug(self, slug: str) -> Team | None:
        return await self.session.scalar(select(Team).where(Team.slug == slug))

    async def add(self, team: Team) -> Team:
        self.session.add(team)
        await self.session.flush()
        return team
