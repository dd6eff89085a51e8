from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.principal import Principal
from folio.crawls.models import ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus


class CrawlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> CrawlRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[tuple[CrawlJob]]:
        return select(CrawlJob).where(CrawlJob.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, job_id: str) -> CrawlJob | None:
        return await self.session.scalar(self.readable(principal).where(CrawlJob.id == job_id))

    async def list_page(
        self,
        principal: Principal,
        *,
        limit: int,
        after: str | None,
        project_id: str | None,
        status: CrawlStatus | None,
    ) -> Sequence[CrawlJob]:
        statement = self.readable(principal).order_by(CrawlJob.id).limit(limit + 1)
        if after is not None:
            statement = statement.where(CrawlJob.id > after)
        if project_id is not None:
            statement = statement.where(CrawlJob.project_id == project_id)
        if status is not None:
            statement = statement.where(CrawlJob.status == status)
        return (await self.session.scalars(statement)).all()

    def add(self, row: CrawlJob | CrawlChunk) -> None:
        self.session.add(row)

    async def job(self, job_id: str) -> CrawlJob | None:
        return await self.session.get(CrawlJob, job_id, populate_existing=True)

    async def chunk(self, chunk_id: str) -> CrawlChunk | None:
        return await self.session.get(CrawlChunk, chunk_id, populate_existing=True)

    async def chunks(self, job_id: str) -> Sequence[CrawlChunk]:
        statement = select(CrawlChunk).where(CrawlChunk.job_id == job_id).order_by(CrawlChunk.id)
        return (await self.session.scalars(statement)).all()

    async def chunk_counts(self, job_id: str) -> dict[ChunkStatus, int]:
        rows = await self.session.execute(
            select(CrawlChunk.status, func.count())
            .where(CrawlChunk.job_id == job_id)
            .group_by(CrawlChunk.status)
        )
        counts = dict.fromkeys(ChunkStatus, 0)
        counts.update({ChunkStatus(status): count for status, count in rows.all()})
        return counts

    async def set_chunks(self, job_id: str, old: ChunkStatus, new: ChunkStatus) -> int:
        result = await self.session.execute(
            update(CrawlChunk)
            .where(CrawlChunk.job_id == job_id, CrawlChunk.status == old)
            .values(status=new, error_code=None, error_message=None, updated_at=utcnow())
        )
        return result.rowcount

    async def claimable_chunk_ids(self, limit: int) -> Sequence[str]:
        statement = (
            select(CrawlChunk.id)
            .join(CrawlJob, CrawlJob.id == CrawlChunk.job_id)
            .where(CrawlChunk.status == ChunkStatus.pending, CrawlJob.status == CrawlStatus.running)
            .order_by(CrawlChunk.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def claim(self, chunk_id: str) -> bool:
        """Compare-and-set: one runner per chunk even with several processes."""
        result = await self.session.execute(
            update(CrawlChunk)
            .where(CrawlChunk.id == chunk_id, CrawlChunk.status == ChunkStatus.pending)
            .values(
                status=ChunkStatus.running,
                attempts=CrawlChunk.attempts + 1,
                started_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        return result.rowcount == 1

    async def release_running(self) -> int:
        """At start-up of the embedded server: chunks a dead process left running."""
        result = await self.session.execute(
            update(CrawlChunk)
            .where(CrawlChunk.status == ChunkStatus.running)
            .values(status=ChunkStatus.pending)
        )
        return result.rowcount
