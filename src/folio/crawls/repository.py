from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from folio.core.db import rowcount, utcnow
from folio.core.leases import LeaseQueue
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.crawls.models import ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus


class CrawlRepository(TeamScopedRepository[CrawlJob]):
    model = CrawlJob

    async def list_page(
        self,
        principal: Principal,
        *,
        limit: int,
        after: str | None,
        project_id: str | None,
        status: CrawlStatus | None,
    ) -> Sequence[CrawlJob]:
        statement = self.readable(principal)
        if project_id is not None:
            statement = statement.where(CrawlJob.project_id == project_id)
        if status is not None:
            statement = statement.where(CrawlJob.status == status)
        return await self.page_after(statement, limit=limit, after=after)

    async def count_per_project(self, project_ids: Sequence[str]) -> dict[str, int]:
        statement = (
            select(CrawlJob.project_id, func.count())
            .where(CrawlJob.project_id.in_(project_ids))
            .group_by(CrawlJob.project_id)
        )
        return {project_id: n for project_id, n in await self.session.execute(statement)}

    def add(self, row: CrawlJob | CrawlChunk) -> None:
        self.session.add(row)

    async def job(self, job_id: str, *, lock: bool = False) -> CrawlJob | None:
        """``lock``: the row stays locked to the transaction's end (PostgreSQL; SQLite
        write transactions are exclusive anyway). Lock order: project, job, chunk."""
        return await self.session.get(
            CrawlJob, job_id, populate_existing=True, with_for_update=lock or None
        )

    async def chunk(self, chunk_id: str, *, lock: bool = False) -> CrawlChunk | None:
        return await self.session.get(
            CrawlChunk, chunk_id, populate_existing=True, with_for_update=lock or None
        )

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
        return rowcount(result)

    async def claim(
        self,
        owner: str,
        now: datetime,
        lease: timedelta,
        *,
        limit: int = 1,
        chunk_ids: Collection[str] | None = None,
    ) -> list[str]:
        """Pending chunks of running jobs, or running ones whose lease lapsed (their process
        died), become ``owner``'s for ``lease`` (the first ``limit``, or those of
        ``chunk_ids`` that are claimable). One winner among processes."""
        running = select(CrawlJob.id).where(CrawlJob.status == CrawlStatus.running)
        return await CHUNKS.claim(
            self.session,
            owner,
            now=now,
            lease=lease,
            limit=limit,
            ids=chunk_ids,
            where=[CrawlChunk.job_id.in_(running)],
        )

    async def renew(self, chunk_ids: Collection[str], owner: str, until: datetime) -> set[str]:
        """Extends ``owner``'s leases; returns the chunks that are still its own."""
        return await CHUNKS.renew(self.session, chunk_ids, owner, until)

    async def release(self, owners: Collection[str]) -> int:
        """Running chunks of these (stopped or dead) supervisors go back to pending."""
        return await CHUNKS.release(self.session, owners)

    async def release_gone(self, live: set[str], *, any_pid: bool) -> int:
        return await CHUNKS.release_gone(self.session, live, any_pid=any_pid)

    async def release_lapsed_of_idle_jobs(self, now: datetime) -> int:
        """A dead process's chunks of a job that was stopped meanwhile: back to pending (a
        running job's are claimed again instead)."""
        idle = select(CrawlJob.id).where(CrawlJob.status != CrawlStatus.running)
        return await CHUNKS.release_lapsed(self.session, now, where=[CrawlChunk.job_id.in_(idle)])


CHUNKS = LeaseQueue(
    CrawlChunk,
    owner=CrawlChunk.lease_owner,
    expires=CrawlChunk.lease_expires_at,
    held=CrawlChunk.status == ChunkStatus.running,
    free=CrawlChunk.status == ChunkStatus.pending,
    on_claim=lambda now: {
        "status": ChunkStatus.running,
        "attempts": CrawlChunk.attempts + 1,
        "started_at": now,
        "updated_at": now,
    },
    on_release={"status": ChunkStatus.pending},
)
