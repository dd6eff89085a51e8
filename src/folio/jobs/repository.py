from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

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

    async def get(self, job_id: str) -> Job | None:
        return await self.session.get(Job, job_id, populate_existing=True)

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
        return result.rowcount == 1

    async def running(self) -> Sequence[Job]:
        return (
            await self.session.scalars(select(Job).where(Job.status == JobStatus.running))
        ).all()

    async def active_for_documents(self, document_ids: Sequence[str]) -> Sequence[Job]:
        statement = select(Job).where(Job.document_id.in_(document_ids), Job.status.in_(ACTIVE))
        return (await self.session.scalars(statement)).all()
