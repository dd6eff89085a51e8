from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import rowcount, utcnow
from folio.core.principal import Principal
from folio.crawls.models import ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus


class CrawlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> CrawlRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[CrawlJob]:
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

    async def claimable_chunk_ids(self, limit: int, now: datetime) -> Sequence[str]:
        statement = (
            select(CrawlChunk.id)
            .join(CrawlJob, CrawlJob.id == CrawlChunk.job_id)
            .where(claimable(now), CrawlJob.status == CrawlStatus.running)
            .order_by(CrawlChunk.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def claim(self, chunk_id: str, owner: str, now: datetime, until: datetime) -> bool:
        """Compare-and-set: a pending chunk, or a running one whose lease lapsed (its
        process died), becomes ``owner``'s until ``until``. One winner among processes."""
        result = await self.session.execute(
            update(CrawlChunk)
            .where(CrawlChunk.id == chunk_id, claimable(now))
            .values(
                status=ChunkStatus.running,
                attempts=CrawlChunk.attempts + 1,
                lease_owner=owner,
                lease_expires_at=until,
                started_at=now,
                updated_at=now,
            )
        )
        return rowcount(result) == 1

    async def renew(self, chunk_ids: Collection[str], owner: str, until: datetime) -> set[str]:
        """Extends ``owner``'s leases; returns the chunks that are still its own."""
        if not chunk_ids:
            return set()
        mine = and_(
            CrawlChunk.id.in_(chunk_ids),
            CrawlChunk.lease_owner == owner,
            CrawlChunk.status == ChunkStatus.running,
        )
        await self.session.execute(update(CrawlChunk).where(mine).values(lease_expires_at=until))
        return set((await self.session.scalars(select(CrawlChunk.id).where(mine))).all())

    async def release(self, owners: Collection[str]) -> int:
        """Running chunks of these (stopped or dead) supervisors go back to pending."""
        if not owners:
            return 0
        result = await self.session.execute(
            update(CrawlChunk)
            .where(CrawlChunk.status == ChunkStatus.running, CrawlChunk.lease_owner.in_(owners))
            .values(status=ChunkStatus.pending, lease_owner=None, lease_expires_at=None)
        )
        return rowcount(result)

    async def release_lapsed_of_idle_jobs(self, now: datetime) -> int:
        """A dead process's chunks of a job that was stopped meanwhile: back to pending (a
        running job's are claimed again instead)."""
        idle = select(CrawlJob.id).where(CrawlJob.status != CrawlStatus.running)
        result = await self.session.execute(
            update(CrawlChunk)
            .where(
                CrawlChunk.status == ChunkStatus.running,
                CrawlChunk.lease_expires_at < now,
                CrawlChunk.job_id.in_(idle),
            )
            .values(status=ChunkStatus.pending, lease_owner=None, lease_expires_at=None)
        )
        return rowcount(result)

    async def running_owners(self, prefix: str) -> set[str]:
        statement = select(CrawlChunk.lease_owner).where(
            CrawlChunk.status == ChunkStatus.running, CrawlChunk.lease_owner.startswith(prefix)
        )
        return {o for o in (await self.session.scalars(statement.distinct())).all() if o}


def claimable(now: datetime) -> ColumnElement[bool]:
    lapsed = and_(
        CrawlChunk.status == ChunkStatus.running,
        or_(CrawlChunk.lease_expires_at.is_(None), CrawlChunk.lease_expires_at < now),
    )
    return or_(CrawlChunk.status == ChunkStatus.pending, lapsed)
