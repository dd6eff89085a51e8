from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, delete, func, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.images.models import CrawledImage


class ImageRepository(TeamScopedRepository[CrawledImage]):
    model = CrawledImage

    async def list_page(
        self,
        principal: Principal,
        *,
        limit: int,
        after: str | None,
        project_id: str | None = None,
        job_id: str | None = None,
        is_valid: bool | None = None,
        is_duplicate: bool | None = None,
        label: str | None = None,
        source: str | None = None,
        min_width: int | None = None,
        min_height: int | None = None,
    ) -> Sequence[CrawledImage]:
        statement = self.readable(principal)
        conditions = {
            CrawledImage.project_id: project_id,
            CrawledImage.job_id: job_id,
            CrawledImage.is_valid: is_valid,
            CrawledImage.is_duplicate: is_duplicate,
            CrawledImage.label: label,
            CrawledImage.source: source,
        }
        for column, value in conditions.items():
            if value is not None:
                statement = statement.where(column == value)
        if min_width is not None:
            statement = statement.where(CrawledImage.width >= min_width)
        if min_height is not None:
            statement = statement.where(CrawledImage.height >= min_height)
        return await self.page_after(statement, limit=limit, after=after)

    async def unique_count_per_project(self, project_ids: Sequence[str]) -> dict[str, int]:
        """Valid, non-duplicate images per project."""
        statement = (
            select(CrawledImage.project_id, func.count())
            .where(
                CrawledImage.project_id.in_(project_ids),
                CrawledImage.is_valid.is_(True),
                CrawledImage.is_duplicate.is_(False),
            )
            .group_by(CrawledImage.project_id)
        )
        return {project_id: n for project_id, n in await self.session.execute(statement)}

    def add_all(self, rows: Sequence[CrawledImage]) -> None:
        self.session.add_all(rows)

    async def delete(self, image: CrawledImage) -> None:
        await self.session.delete(image)

    async def known_urls(self, job_id: str, urls: Sequence[str]) -> set[str]:
        statement = select(CrawledImage.source_url).where(
            CrawledImage.job_id == job_id, CrawledImage.source_url.in_(urls)
        )
        return set((await self.session.scalars(statement)).all())

    async def unique_hashes(self, project_id: str) -> Sequence[tuple[str, str, str]]:
        """(id, sha256, phash) of the project's valid originals: the de-duplication index."""
        statement = (
            select(CrawledImage.id, CrawledImage.sha256, CrawledImage.phash)
            .where(
                CrawledImage.project_id == project_id,
                CrawledImage.is_valid.is_(True),
                CrawledImage.is_duplicate.is_(False),
            )
            .order_by(CrawledImage.id)
        )
        rows = (await self.session.execute(statement)).all()
        return [(r[0], r[1], r[2]) for r in rows if r[1] is not None and r[2] is not None]

    async def originals_since(
        self, project_id: str, after_seq: int
    ) -> Sequence[tuple[str, str, str]]:
        """(id, sha256, phash) of unique images committed after the project's ``after_seq``
        (by any process): what an index loaded earlier has to catch up with."""
        statement = select(CrawledImage.id, CrawledImage.sha256, CrawledImage.phash).where(
            CrawledImage.project_id == project_id,
            CrawledImage.dedup_seq > after_seq,
            CrawledImage.is_valid.is_(True),
            CrawledImage.is_duplicate.is_(False),
        )
        rows = (await self.session.execute(statement)).all()
        return [(r[0], r[1], r[2]) for r in rows if r[1] is not None and r[2] is not None]

    async def exists(self, image_id: str) -> bool:
        statement = select(CrawledImage.id).where(CrawledImage.id == image_id)
        return await self.session.scalar(statement) is not None

    async def blob_keys_of_chunk(self, chunk_id: str) -> list[str]:
        statement = select(CrawledImage.blob_key, CrawledImage.thumbnail_key).where(
            CrawledImage.chunk_id == chunk_id
        )
        return [k for row in (await self.session.execute(statement)).all() for k in row if k]

    async def ids_of_chunk(self, chunk_id: str) -> set[str]:
        statement = select(CrawledImage.id).where(CrawledImage.chunk_id == chunk_id)
        return set((await self.session.scalars(statement)).all())

    async def delete_chunk(self, chunk_id: str) -> None:
        await self.session.execute(delete(CrawledImage).where(CrawledImage.chunk_id == chunk_id))

    async def dataset_rows(self, project_id: str) -> Sequence[CrawledImage]:
        statement = (
            select(CrawledImage)
            .where(
                CrawledImage.project_id == project_id,
                CrawledImage.is_valid.is_(True),
                CrawledImage.is_duplicate.is_(False),
            )
            .order_by(CrawledImage.id)
        )
        return (await self.session.scalars(statement)).all()

    async def job_totals(self, job_id: str) -> dict[str, int]:
        def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        row = (
            await self.session.execute(
                select(
                    count_if(CrawledImage.bytes.is_not(None)),
                    count_if(CrawledImage.is_valid.is_(True)),
                    count_if(CrawledImage.is_valid.is_(False)),
                    count_if(CrawledImage.is_duplicate.is_(True)),
                ).where(CrawledImage.job_id == job_id)
            )
        ).one()
        return dict(zip(("downloaded", "valid", "failed", "duplicate"), map(int, row), strict=True))
