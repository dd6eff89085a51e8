"""What happens to a document while a job processes it: started, stage by stage, its result
recorded as a new version, failed, or put back in the queue.

The job runner (:mod:`folio.workers.runner`) owns the transaction and calls these in order;
the steps other domains take on a new result run between :func:`record_result` and
:func:`record_processed`, so the version row and the ``document.processed`` event see them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.runtime import Runtime
from folio.documents import stages as stage_rules
from folio.documents.models import Document, DocumentStatus, StageName
from folio.documents.repository import DocumentRepository
from folio.documents.results import page_rows, version_row
from folio.documents.uploads import document_event
from folio.events.service import event as event_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import Intelligence


async def load_for_job(session: AsyncSession, document_id: str) -> Document | None:
    return await DocumentRepository.from_session(session).get_for_update(document_id)


async def mark_started(session: AsyncSession, runtime: Runtime, document: Document) -> None:
    document.status = DocumentStatus.processing
    document.started_at = utcnow()
    document.stages = stage_rules.start_stage(document.stages, StageName.extraction)
    await event_service.emit(
        session,
        runtime,
        document_event("document.processing", document, stage=StageName.extraction),
    )


async def mark_stage(
    session: AsyncSession, runtime: Runtime, document: Document, stage: StageName
) -> None:
    document.stages = stage_rules.start_stage(document.stages, stage)
    if stage == StageName.analysis:
        document.progress = stage_rules.ANALYSIS_PROGRESS
    await event_service.emit(
        session, runtime, document_event("document.processing", document, stage=stage)
    )


async def mark_pages(
    session: AsyncSession, runtime: Runtime, document: Document, done: int, total: int
) -> None:
    document.pages_done, document.pages_total = done, total
    document.progress = stage_rules.extraction_progress(done, total)
    await event_service.emit(
        session,
        runtime,
        document_event(
            "document.processing",
            document,
            stage=StageName.extraction,
            pages_done=done,
            pages_total=total,
        ),
    )


async def record_result(
    session: AsyncSession,
    document: Document,
    result: DocumentResult,
    intelligence: Intelligence | None = None,
) -> None:
    """The result's pages become the document's next version; the document is not settled
    until :func:`record_processed`."""
    version = max(document.version, 0) + 1
    await DocumentRepository.from_session(session).replace_pages(
        document, version, page_rows(document, version, result)
    )
    document.version = version
    document.page_count = result.metadata.page_count
    document.word_count = result.metadata.word_count
    document.language = result.metadata.language
    document.doc_metadata = result.metadata.model_dump(mode="json")
    document.ocr = result.ocr.model_dump(mode="json")
    document.warnings = result.warnings
    document.engine_versions = result.engine_versions
    document.pages_total = document.pages_done = result.metadata.page_count
    _record_intelligence(document, intelligence)


async def record_processed(
    session: AsyncSession, runtime: Runtime, document: Document, *, job_id: str
) -> None:
    """Settles the document as completed, snapshots the version ``job_id`` made, and
    announces ``document.processed``."""
    settle(document, DocumentStatus.completed)
    await DocumentRepository.from_session(session).add_version(version_row(document, job_id))
    await event_service.emit(
        session,
        runtime,
        document_event(
            "document.processed",
            document,
            page_count=document.page_count,
            processing_time_ms=document.processing_time_ms,
        ),
    )


def _record_intelligence(document: Document, intelligence: Intelligence | None) -> None:
    document.intelligence = intelligence.model_dump(mode="json") if intelligence else None
    classification = intelligence.classification if intelligence else None
    document.document_type = classification.document_type if classification else None
    document.pii_detected = (
        intelligence.pii.pii_detected if intelligence and intelligence.pii else None
    )


async def record_failure(
    session: AsyncSession,
    runtime: Runtime,
    document: Document,
    *,
    code: str,
    message: str,
    retryable: bool,
) -> None:
    document.error_code, document.error_message = code, message
    document.error_retryable = retryable
    settle(document, DocumentStatus.failed)
    await event_service.emit(
        session,
        runtime,
        document_event(
            "document.failed",
            document,
            error={"code": code, "message": message, "retryable": retryable},
        ),
    )


def settle(document: Document, status: DocumentStatus) -> None:
    now = utcnow()
    document.status = status
    document.stages = stage_rules.finish_stages(
        document.stages, failed=status != DocumentStatus.completed
    )
    document.completed_at = now
    if status == DocumentStatus.completed:
        document.progress = 100
    if document.started_at is not None:
        document.processing_time_ms = int((now - document.started_at).total_seconds() * 1000)


def reset_for_processing(document: Document) -> None:
    """The document waits in the queue again: a new run, or its worker died under it."""
    document.status = DocumentStatus.queued
    document.stages = stage_rules.reset_processing_stages(document.stages)
    document.progress = stage_rules.UPLOAD_DONE_PROGRESS
    document.pages_done, document.pages_total = 0, None
    document.error_code = document.error_message = document.error_retryable = None
    document.started_at = document.completed_at = document.processing_time_ms = None
