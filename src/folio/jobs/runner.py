"""Records what a worker reports. One short transaction per report; the runner owns it.

Every write first checks that the job is still running, so a report that arrives after a
cancellation, a timeout or a retry changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.service import batch as batch_service
from folio.core.runtime import Runtime
from folio.documents.models import Document, StageName
from folio.documents.service import document as document_service
from folio.jobs.models import Job, JobStatus
from folio.jobs.service import job as job_service
from folio.jobs.worker_process import JobTicket
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import Intelligence


@dataclass
class Failure:
    code: str
    message: str
    retryable: bool


class JobRunner:
    """``worker``: only reports about jobs this worker still owns are recorded (None: any)."""

    def __init__(self, runtime: Runtime, worker: str | None = None) -> None:
        self.runtime = runtime
        self.worker = worker

    @asynccontextmanager
    async def _running(
        self, job_id: str
    ) -> AsyncIterator[tuple[AsyncSession, Job, Document] | None]:
        async with self.runtime.db.session() as session:
            job = await job_service.get(session, job_id, lock=True)
            if job is None or job.status != JobStatus.running or not self._owns(job):
                yield None
                return
            document = await document_service.load_for_job(session, job.document_id)
            yield (session, job, document) if document is not None else None

    def _owns(self, job: Job) -> bool:
        return self.worker is None or job.worker == self.worker

    async def start(self, job: Job) -> JobTicket | None:
        async with self._running(job.id) as loaded:
            if loaded is None:
                return None
            session, job, document = loaded
            await document_service.mark_started(session, self.runtime, document)
            await job_service.emit(session, self.runtime, "job.status", job)
            path = self.runtime.storage.local_path(document.blob_key)
            return JobTicket(
                job_id=job.id,
                document_id=document.id,
                path=str(path),
                filename=document.filename,
                mime_type=document.mime_type,
                options=job.options,
            )

    async def stage(self, job_id: str, name: str) -> None:
        async with self._running(job_id) as loaded:
            if loaded is not None and name in StageName.__members__:
                session, _, document = loaded
                await document_service.mark_stage(session, self.runtime, document, StageName(name))

    async def pages(self, job_id: str, done: int, total: int) -> None:
        async with self._running(job_id) as loaded:
            if loaded is not None:
                session, job, document = loaded
                await document_service.mark_pages(session, self.runtime, document, done, total)
                await job_service.emit(
                    session,
                    self.runtime,
                    "job.progress",
                    job,
                    progress=document.progress,
                    pages_done=done,
                    pages_total=total,
                )

    async def succeed(
        self, job_id: str, result: DocumentResult, intelligence: Intelligence | None = None
    ) -> None:
        async with self._running(job_id) as loaded:
            if loaded is None:
                return
            session, job, document = loaded
            await document_service.record_result(
                session, self.runtime, document, result, intelligence
            )
            await job_service.finish(session, self.runtime, job, JobStatus.completed)
            await self._after_settled(session, document)

    async def fail(self, job_id: str, failure: Failure) -> None:
        async with self._running(job_id) as loaded:
            if loaded is None:
                return
            session, job, document = loaded
            await document_service.record_failure(
                session,
                self.runtime,
                document,
                code=failure.code,
                message=failure.message,
                retryable=failure.retryable,
            )
            await job_service.finish(
                session,
                self.runtime,
                job,
                JobStatus.failed,
                code=failure.code,
                message=failure.message,
            )
            await self._after_settled(session, document)

    async def interrupted(self, job_id: str, failure: Failure) -> bool:
        """The worker died under the job: retry it while attempts remain. True if requeued."""
        async with self._running(job_id) as loaded:
            if loaded is None:
                return False
            session, job, document = loaded
            if job.attempts < job.max_attempts:
                await job_service.requeue(session, self.runtime, job)
                document_service.mark_requeued(document)
                return True
        await self.fail(job_id, failure)
        return False

    async def recover_interrupted(self) -> None:
        """At start-up: jobs a dead process left running are retried or failed."""
        await self._recover(job_service.recover_interrupted)

    async def recover_lapsed(self) -> int:
        """Celery: jobs whose worker stopped renewing its lease are retried or failed."""
        return await self._recover(job_service.recover_lapsed)

    async def _recover(
        self,
        find: Callable[[AsyncSession, Runtime], Awaitable[tuple[list[Job], list[Job]]]],
    ) -> int:
        async with self.runtime.db.session() as session:
            requeued, exhausted = await find(session, self.runtime)
            for job in requeued:
                document = await document_service.load_for_job(session, job.document_id)
                if document is not None:
                    document_service.mark_requeued(document)
        for job in exhausted:
            await self.fail(
                job.id,
                Failure("WORKER_CRASHED", "Processing was interrupted too many times.", False),
            )
        return len(requeued) + len(exhausted)

    async def _after_settled(self, session: AsyncSession, document: Document) -> None:
        if document.batch_id is not None:
            await batch_service.settle_if_done(session, self.runtime, document.batch_id)
