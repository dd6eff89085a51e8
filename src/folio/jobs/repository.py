from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import rowcount
from folio.jobs.models import Job, JobStatus

ACTIVE = (JobStatus.queued, JobStatus.running)


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> JobRepository:
        return cls(session)

    async def add(self, job: Job) -> Job:
        self.session.add(job)
        await self.session.flush()
        return job

    async def add_all(self, jobs: Sequence[Job]) -> None:
        self.session.add_all(jobs)
        await self.session.flush()

    async def get(self, job_id: str, *, lock: bool = False) -> Job | None:
        """``lock``: the row stays locked until commit (PostgreSQL), so a cancellation and a
        worker's report on the same job are applied one after the other, never interleaved."""
        return await self.session.get(
            Job, job_id, populate_existing=True, with_for_update=lock or None
        )

    async def next_queued_id(self) -> str | None:
        statement = (
            select(Job.id)
            .where(Job.status == JobStatus.queued)
            .order_by(Job.priority, Job.id)
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def mark_running(self, job_id: str, worker: str, now: datetime) -> bool:
        """Compare-and-set, so two dispatchers can never both claim one job."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.queued)
            .values(
                status=JobStatus.running,
                worker=worker,
                started_at=now,
                attempts=Job.attempts + 1,
                updated_at=now,
            )
        )
        return rowcount(result) == 1

    async def running(self) -> Sequence[Job]:
        return (
            await self.session.scalars(select(Job).where(Job.status == JobStatus.running))
        ).all()

    async def active_for_documents(self, document_ids: Sequence[str]) -> Sequence[Job]:
        """Locked, like the runner's reads: job rows first, then documents, on every path."""
        statement = (
            select(Job)
            .where(Job.document_id.in_(document_ids), Job.status.in_(ACTIVE))
            .with_for_update()
        )
        return (await self.session.scalars(statement)).all()

    # ---- Celery executor: claims with a lease, and the hand-off to the broker ------------

    async def claim(self, job_id: str, worker: str, now: datetime, lease_until: datetime) -> bool:
        """Compare-and-set on one job: queued, or running under a lease that lapsed (its
        worker died). Never while another job of the same document runs under a live lease."""
        other = Job.__table__.alias("other")
        busy_document = (
            select(other.c.id)
            .where(
                other.c.document_id == Job.document_id,
                other.c.id != Job.id,
                other.c.status == JobStatus.running,
                other.c.lease_expires_at > now,
            )
            .exists()
        )
        lapsed = and_(Job.status == JobStatus.running, Job.lease_expires_at < now)
        result = await self.session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                or_(Job.status == JobStatus.queued, lapsed),
                Job.attempts < Job.max_attempts,
                ~busy_document,
            )
            .values(
                status=JobStatus.running,
                worker=worker,
                started_at=now,
                attempts=Job.attempts + 1,
                lease_expires_at=lease_until,
                updated_at=now,
            )
        )
        return rowcount(result) == 1

    async def renew_lease(self, job_id: str, worker: str, until: datetime) -> bool:
        """False when the job is no longer this worker's: cancelled, finished or taken over."""
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.running, Job.worker == worker)
            .values(lease_expires_at=until)
        )
        return rowcount(result) == 1

    async def lapsed_leases(self, now: datetime) -> Sequence[Job]:
        """Locked: a worker claiming one of them at the same moment waits for this decision
        (PostgreSQL re-checks the condition on the claimed row and skips it)."""
        statement = (
            select(Job)
            .where(Job.status == JobStatus.running, Job.lease_expires_at < now)
            .with_for_update()
        )
        return (await self.session.scalars(statement)).all()

    async def in_broker_counts(self) -> dict[tuple[str, int], int]:
        """Per team and priority: jobs handed to the broker and not yet claimed."""
        statement = (
            select(Job.team_id, Job.priority, func.count())
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_not(None))
            .group_by(Job.team_id, Job.priority)
        )
        return {(team, priority): n for team, priority, n in await self.session.execute(statement)}

    async def undispatched_groups(self) -> Sequence[tuple[str, int]]:
        statement = (
            select(Job.team_id, Job.priority)
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_(None))
            .group_by(Job.team_id, Job.priority)
        )
        return [(team, priority) for team, priority in await self.session.execute(statement)]

    async def oldest_undispatched(self, team_id: str, priority: int, limit: int) -> Sequence[str]:
        statement = (
            select(Job.id)
            .where(
                Job.status == JobStatus.queued,
                Job.dispatched_at.is_(None),
                Job.team_id == team_id,
                Job.priority == priority,
            )
            .order_by(Job.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def mark_dispatched(self, job_ids: Sequence[str], now: datetime) -> None:
        await self.session.execute(update(Job).where(Job.id.in_(job_ids)).values(dispatched_at=now))

    async def forget_dispatches(self) -> int:
        """The broker lost its queues: every queued job must be handed over again."""
        result = await self.session.execute(
            update(Job)
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_not(None))
            .values(dispatched_at=None)
        )
        return rowcount(result)
