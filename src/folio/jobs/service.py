"""Job lifecycle: the database row is the truth; dispatchers only carry job ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.runtime import Runtime
from folio.events.service import event as event_service
from folio.jobs.models import Job, JobPriority, JobStatus
from folio.jobs.repository import JobRepository


@dataclass(frozen=True)
class QueueStats:
    """Jobs waiting and running across all teams, for health probes and metrics."""

    queued: int
    running: int
    oldest_age_s: float  # how long the oldest queued job has waited; 0 when none waits


def job_event(type_: str, job: Job, **data: Any) -> Event:
    payload = {
        "job_id": job.id,
        "document_id": job.document_id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        **data,
    }
    return Event(
        type=type_, team_id=job.team_id, data={k: v for k, v in payload.items() if v is not None}
    )


class JobService:
    async def enqueue(
        self,
        session: AsyncSession,
        runtime: Runtime,
        *,
        team_id: str,
        document_id: str,
        options: dict[str, Any],
        priority: JobPriority = JobPriority.normal,
    ) -> Job:
        job = self._new_job(runtime, team_id, document_id, options, priority)
        await JobRepository.from_session(session).add(job)
        await self._notify_after_commit(session, runtime)
        await self.emit(session, runtime, "job.created", job)
        return job

    async def enqueue_many(
        self,
        session: AsyncSession,
        runtime: Runtime,
        requests: Sequence[tuple[str, str, dict[str, Any], JobPriority]],
    ) -> list[Job]:
        """:meth:`enqueue` for many (team id, document id, options, priority): one insert,
        one wake-up of the dispatcher, the ``job.created`` events emitted together."""
        jobs = [self._new_job(runtime, *request) for request in requests]
        await JobRepository.from_session(session).add_all(jobs)
        await self._notify_after_commit(session, runtime)
        await event_service.emit_many(
            session, runtime, [job_event("job.created", job) for job in jobs]
        )
        return jobs

    def _new_job(
        self,
        runtime: Runtime,
        team_id: str,
        document_id: str,
        options: dict[str, Any],
        priority: JobPriority,
    ) -> Job:
        return Job(
            id=new_id(IdPrefix.job),
            team_id=team_id,
            document_id=document_id,
            options=options,
            priority=int(priority),
            max_attempts=runtime.settings.job_max_attempts,
        )

    async def _notify_after_commit(self, session: AsyncSession, runtime: Runtime) -> None:
        async def notify() -> None:
            runtime.dispatcher.notify()

        after_commit(session, notify)

    async def claim_next(self, session: AsyncSession, *, worker: str) -> Job | None:
        repository = JobRepository.from_session(session)
        job_id = await repository.claim_next(worker, utcnow())
        return None if job_id is None else await repository.get_unscoped(job_id)

    async def queue_stats(self, session: AsyncSession) -> QueueStats:
        queued, running, oldest = await JobRepository.from_session(session).queue_stats()
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        return QueueStats(queued=queued, running=running, oldest_age_s=max(age, 0.0))

    async def get(self, session: AsyncSession, job_id: str, *, lock: bool = False) -> Job | None:
        return await JobRepository.from_session(session).get_unscoped(job_id, lock=lock)

    async def finish(
        self,
        session: AsyncSession,
        runtime: Runtime,
        job: Job,
        status: JobStatus,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        job.status = status
        job.error_code = code
        job.error_message = message
        job.finished_at = utcnow()
        job.options = {k: v for k, v in job.options.items() if k != "password"}
        kind = {JobStatus.completed: "job.completed", JobStatus.failed: "job.failed"}
        error = {"code": code, "message": message} if code else None
        await self.emit(session, runtime, kind.get(status, "job.status"), job, error=error)

    async def emit(
        self, session: AsyncSession, runtime: Runtime, type_: str, job: Job, **data: Any
    ) -> None:
        await event_service.emit(session, runtime, job_event(type_, job, **data))

    async def requeue(self, session: AsyncSession, runtime: Runtime, job: Job) -> None:
        job.status = JobStatus.queued
        job.worker = None
        job.started_at = None
        job.dispatched_at = job.lease_expires_at = None  # to the broker again (Celery)
        await self._notify_after_commit(session, runtime)

    async def recover_interrupted(
        self, session: AsyncSession, runtime: Runtime
    ) -> tuple[list[Job], list[Job]]:
        """Jobs left running by a dead process: requeue them, or fail those out of attempts."""
        return await self._retry_or_give_up(
            session, runtime, await JobRepository.from_session(session).running()
        )

    async def recover_lapsed(
        self, session: AsyncSession, runtime: Runtime
    ) -> tuple[list[Job], list[Job]]:
        """Celery: jobs whose worker stopped renewing its lease (it was killed, or lost)."""
        lapsed = await JobRepository.from_session(session).lapsed_leases(utcnow())
        return await self._retry_or_give_up(session, runtime, lapsed)

    async def _retry_or_give_up(
        self, session: AsyncSession, runtime: Runtime, jobs: Sequence[Job]
    ) -> tuple[list[Job], list[Job]]:
        requeued, exhausted = [], []
        for job in jobs:
            if job.attempts >= job.max_attempts:
                exhausted.append(job)
            else:
                await self.requeue(session, runtime, job)
                requeued.append(job)
        return requeued, exhausted

    async def claim(
        self, session: AsyncSession, job_id: str, *, worker: str, lease_s: float
    ) -> Job | None:
        """Celery: the worker that wins this compare-and-set runs the job; others drop it."""
        now = utcnow()
        repository = JobRepository.from_session(session)
        if await repository.claim(job_id, worker, now, timedelta(seconds=lease_s)):
            return await repository.get_unscoped(job_id)
        return None

    async def renew_lease(
        self, session: AsyncSession, job_id: str, *, worker: str, lease_s: float
    ) -> bool:
        until = utcnow() + timedelta(seconds=lease_s)
        return await JobRepository.from_session(session).renew_lease(job_id, worker, until)

    async def cancel_for_documents(
        self, session: AsyncSession, runtime: Runtime, document_ids: Sequence[str]
    ) -> list[Job]:
        jobs = list(await JobRepository.from_session(session).active_for_documents(document_ids))
        for job in jobs:
            await self.finish(
                session,
                runtime,
                job,
                JobStatus.cancelled,
                code="CANCELLED",
                message="Cancelled by a user",
            )

        async def stop_running() -> None:
            for job in jobs:
                runtime.dispatcher.cancel(job.id)

        after_commit(session, stop_running)
        return jobs


job = JobService()
