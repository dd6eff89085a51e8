from __future__ import annotations

from collections.abc import Sequence

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.projects.models import Project


class ProjectRepository(TeamScopedRepository[Project]):
    model = Project

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[Project]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

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
