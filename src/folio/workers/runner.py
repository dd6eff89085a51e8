"""Records what a worker reports. One short transaction per report; the runner owns it.

Every write first checks that the job is still running, so a report that arrives after a
cancellation, a timeout or a retry changes nothing. A result is recorded by the documents
lifecycle, then each domain takes its step on the new version, in the order
:meth:`JobRunner.after_result` names, then the document is settled and announced.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.analytics.service import analytics as analytics_service
from folio.batches.service import batch as batch_service
from folio.classifiers.service import classifier as classifier_service
from folio.core.runtime import Runtime
from folio.documents import lifecycle
from folio.documents.models import Document, StageName
from folio.extractions.service import extraction as extraction_service
from folio.jobs.models import Job, JobStatus
from folio.jobs.service import job as job_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import Intelligence
from folio.recommendations.service import recommendation as recommendation_service
from folio.security_scans.service import security_scan as security_scan_service
from folio.workers.worker_process import JobTicket

logger = logging.getLogger("folio.workers")


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
            document = await lifecycle.load_for_job(session, job.document_id)
            yield (session, job, document) if document is not None else None

    def _owns(self, job: Job) -> bool:
        return self.worker is None or job.worker == self.worker

    async def start(self, job: Job) -> JobTicket | None:
        async with self._running(job.id) as loaded:
            if loaded is None:
                return None
            session, job, document = loaded
            await lifecycle.mark_started(session, self.runtime, document)
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
                await lifecycle.mark_stage(session, self.runtime, document, StageName(name))

    async def pages(self, job_id: str, done: int, total: int) -> None:
        async with self._running(job_id) as loaded:
            if loaded is not None:
                session, job, document = loaded
                await lifecycle.mark_pages(session, self.runtime, document, done, total)
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
            await lifecycle.record_result(session, document, result, intelligence)
            await self.after_result(session, document, result)
            await lifecycle.record_processed(session, self.runtime, document, job_id=job.id)
            await analytics_service.record_processed(
                session,
                team_id=document.team_id,
                kind=document.kind,
                pages=document.page_count or 0,
                elapsed_ms=float(document.processing_time_ms or 0),
            )
            await job_service.finish(session, self.runtime, job, JobStatus.completed)
            await self._after_settled(session, document)

    async def after_result(
        self, session: AsyncSession, document: Document, result: DocumentResult
    ) -> None:
        """Each domain's step on a new version, in this order: the team's classifier may
        change the type that the security scan's findings and the recommendations read; the
        requested template stores its fields."""
        await self._apply_team_classifier(session, document)
        await security_scan_service.record_processing(session, self.runtime, document)
        await recommendation_service.materialize(session, document)
        await extraction_service.apply_requested(session, self.runtime, document, result)

    async def _apply_team_classifier(self, session: AsyncSession, document: Document) -> None:
        """Best effort, in a savepoint: a model that cannot be loaded or used (a missing blob,
        another scikit-learn) is logged, the rules' type stays, and the job's transaction is
        still usable for the steps after it."""
        try:
            async with session.begin_nested():
                await classifier_service.apply_to_document(session, self.runtime, document)
        except Exception:
            logger.exception("team classifier not applied to %s", document.id)

    async def fail(self, job_id: str, failure: Failure) -> None:
        async with self._running(job_id) as loaded:
            if loaded is None:
                return
            session, job, document = loaded
            await lifecycle.record_failure(
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
                lifecycle.reset_for_processing(document)
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
                document = await lifecycle.load_for_job(session, job.document_id)
                if document is not None:
                    lifecycle.reset_for_processing(document)
        for job in exhausted:
            await self.fail(
                job.id,
                Failure("WORKER_CRASHED", "Processing was interrupted too many times.", False),
            )
        return len(requeued) + len(exhausted)

    async def _after_settled(self, session: AsyncSession, document: Document) -> None:
        if document.batch_id is not None:
            await batch_service.settle_if_done(session, self.runtime, document.batch_id)
