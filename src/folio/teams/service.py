"""Teams. Until accounts exist, every request acts for one default team."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.ids import IdPrefix, new_id
from folio.teams.models import Team
from folio.teams.repository import TeamRepository

DEFAULT_TEAM_SLUG = "default"


class TeamService:
    async def ensure_default(self, session: AsyncSession) -> Team:
        repository = TeamRepository.from_session(session)
        existing = await repository.get_by_slug(DEFAULT_TEAM_SLUG)
        if existing is not None:
            return existing
        team = Team(id=new_id(IdPrefix.team), slug=DEFAULT_TEAM_SLUG, name="Default team")
        return await repository.add(team)


team = TeamService()
