from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.crawls.models import CrawlJob
from folio.datasets.models import Dataset
from folio.images.models import CrawledImage
from folio.projects.models import Project


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ProjectRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[Project]:
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

    async def counts(self, project_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Jobs, valid unique images and datasets per project, three grouped queries."""
        result: dict[str, dict[str, int]] = {
            p: {"job_count": 0, "image_count": 0, "dataset_count": 0} for p in project_ids
        }
        queries = {
            "job_count": select(CrawlJob.project_id, func.count()).group_by(CrawlJob.project_id),
            "image_count": select(CrawledImage.project_id, func.count())
            .where(CrawledImage.is_valid.is_(True), CrawledImage.is_duplicate.is_(False))
            .group_by(CrawledImage.project_id),
            "dataset_count": select(Dataset.project_id, func.count()).group_by(Dataset.project_id),
        }
        for name, statement in queries.items():
            column = statement.selected_columns[0]
            rows = await self.session.execute(statement.where(column.in_(project_ids)))
            for project_id, count in rows.all():
                result[project_id][name] = count
        return result
