"""Projects: a team's image datasets in the making."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit
from folio.core.errors import NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.projects.models import Project
from folio.projects.repository import ProjectRepository
from folio.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate

ProjectCounter = Callable[[AsyncSession, Sequence[str]], Awaitable[dict[str, int]]]


class ProjectService:
    def __init__(self) -> None:
        self._counters: dict[str, ProjectCounter] = {}

    def count_with(self, name: str, counter: ProjectCounter) -> None:
        """``name`` of a project's read (``job_count`` …) comes from ``counter``, which gives
        it per project id. ``folio.assembly`` registers those of the packages above projects
        (crawls, images, datasets), so projects imports none of them."""
        self._counters[name] = counter

    async def create(
        self, session: AsyncSession, principal: Principal, data: ProjectCreate
    ) -> ProjectRead:
        project = Project(
            id=new_id(IdPrefix.project),
            team_id=principal.team_id,
            name=data.name,
            description=data.description,
            created_by=principal.user_id,
        )
        ProjectRepository.from_session(session).add(project)
        await session.flush()
        return ProjectRead.model_validate(project)

    async def get_project(
        self, session: AsyncSession, principal: Principal, project_id: str
    ) -> Project:
        project = await ProjectRepository.from_session(session).get(principal, project_id)
        if project is None:
            raise NotFound(f"No project {project_id}.")
        return project

    async def read(
        self, session: AsyncSession, principal: Principal, project_id: str
    ) -> ProjectRead:
        found = await self.get_project(session, principal, project_id)
        return (await self._with_counts(session, [found]))[0]

    async def list_projects(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ProjectRead]:
        rows = await ProjectRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        items = await self._with_counts(session, rows)
        return Page.from_rows(items, page.limit, cursor=lambda project: project.id)

    async def update(
        self, session: AsyncSession, principal: Principal, project_id: str, data: ProjectUpdate
    ) -> ProjectRead:
        project = await self.get_project(session, principal, project_id)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            project.name = changes["name"]
        if "description" in changes:
            project.description = changes["description"]
        await session.flush()
        return (await self._with_counts(session, [project]))[0]

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, project_id: str
    ) -> None:
        """Deletes the project with its jobs, images and datasets (rows cascade; blobs here)."""
        project = await self.get_project(session, principal, project_id)
        await ProjectRepository.from_session(session).delete(project)
        await session.flush()

        async def delete_blobs() -> None:
            runtime.storage.delete_prefix(f"crawls/{project.id}")

        after_commit(session, delete_blobs)

    async def _with_counts(
        self, session: AsyncSession, rows: Sequence[Project]
    ) -> list[ProjectRead]:
        ids = [p.id for p in rows]
        counts = {name: await count(session, ids) for name, count in self._counters.items()}
        return [
            ProjectRead.model_validate(p).model_copy(
                update={name: per_project.get(p.id, 0) for name, per_project in counts.items()}
            )
            for p in rows
        ]


project = ProjectService()
