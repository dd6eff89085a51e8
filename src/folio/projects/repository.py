from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.crawls.models import CrawlJob
from folio.datasets.models import Dataset
from folio.images.models import CrawledImage
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
