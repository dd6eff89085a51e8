from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.projects.models import Project


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ProjectRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[tuple[Project]]:
        return select(Project).where(Project.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, project_id: str) -> Project | None:
        return await self.session.scalar(self.readable(principal).where(Project.id == project_id))

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[Project]:
        statement = self.readable(principal).order_by(Project.id).limit(limit + 1)
        if after is not None:
            statement = statement.where(Project.id > after)
        return (await self.session.scalars(statement)).all()

    async def locked(self, project_id: str) -> Project | None:
        """For the crawl runner: the row stays locked to the end of the transaction, so the
        commits that add a project's images (and bump its ``dedup_seq``) are serialised."""
        return await self.session.get(
            Project, project_id, populate_existing=True, with_for_update=True
        )

    def add(self, project: Project) -> None:
        self.session.add(project)

    async def delete(self, project: Project) -> None:
        await self.session.delete(project)
