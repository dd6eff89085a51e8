"""Operator control of processing (seed 003): start and stop taking queued documents, live
figures, rerun failures, the team's OCR mode, system information and configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict, FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import DocumentStatus, ProcessingSettings
from folio.documents.repository import DocumentRepository
from folio.documents.service import document as document_service
from folio.pipeline import OcrEngineName, OcrMode, engines_available
from folio.processing.repository import ProcessingRepository
from folio.processing.schemas import (
    MAX_WORKERS,
    MIN_WORKERS,
    ConfigRead,
    OcrSettingsRead,
    OcrSettingsUpdate,
    ProcessingState,
    ProcessingStats,
    RerunResult,
    StartRequest,
    SystemInfo,
)
from folio.processing.system_info import system_info
from folio.workers.pool import LocalWorkerPool


class NoWorkerPool(Conflict):
    code = "NO_WORKER_POOL"
    title = "This server runs no worker pool"


def _pool(runtime: Runtime) -> LocalWorkerPool:
    dispatcher = runtime.dispatcher
    if not isinstance(dispatcher, LocalWorkerPool):
        raise NoWorkerPool(
            "This server has no worker pool to start or stop (FOLIO_WORKERS=0 or the Celery "
            "executor); control the `folio worker` processes instead."
        )
    return dispatcher


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _state(pool: LocalWorkerPool, message: str) -> ProcessingState:
    status = pool.status()
    return ProcessingState(
        running=not pool.paused,
        executor=str(status["executor"]),
        pool_size=pool.size,
        active_workers=_count(status.get("active", pool.size)),
        busy_workers=_count(status["busy"]),
        message=message,
    )


class ProcessingService:
    # ---- start / stop (the whole server: system:admin) -----------------------------------

    def state(self, runtime: Runtime) -> ProcessingState:
        pool = _pool(runtime)
        return _state(pool, "Paused." if pool.paused else "Taking queued documents.")

    def start(self, runtime: Runtime, request: StartRequest) -> ProcessingState:
        pool = _pool(runtime)
        workers = request.workers
        if workers is not None and not MIN_WORKERS <= workers <= min(MAX_WORKERS, pool.size):
            raise ValidationFailed(
                [
                    FieldError(
                        "workers",
                        "out_of_range",
                        f"workers must be between {MIN_WORKERS} and {pool.size}: this server's "
                        f"pool has {pool.size} (FOLIO_WORKERS).",
                    )
                ]
            )
        was_running = not pool.paused
        pool.resume(workers)
        active = pool.status()["active"]
        verb = "Still processing" if was_running else "Started processing"
        return _state(pool, f"{verb} the queue with {active} of {pool.size} workers.")

    def stop(self, runtime: Runtime) -> ProcessingState:
        pool = _pool(runtime)
        pool.pause()
        busy = pool.status()["busy"]
        return _state(
            pool, f"Stopped taking queued documents; {busy} running will finish. Queued stay."
        )

    # ---- the team's figures and failures (team:manage) -----------------------------------

    async def stats(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        *,
        batch_id: str | None,
        since: datetime | None,
    ) -> ProcessingStats:
        repository = ProcessingRepository.from_session(session)
        counts = await repository.status_counts(principal, batch_id, since)
        current = await repository.current(principal, batch_id, since)
        by = {status: counts.get(status, 0) for status in DocumentStatus}
        workers = runtime.dispatcher.status()
        paused = bool(workers.get("paused", False))
        pending = by[DocumentStatus.queued] + by[DocumentStatus.processing]
        finished = (DocumentStatus.completed, DocumentStatus.failed, DocumentStatus.cancelled)
        return ProcessingStats(
            total=sum(by.values()),
            queued=by[DocumentStatus.queued],
            running=by[DocumentStatus.processing],
            processed=sum(by[s] for s in finished),
            successful=by[DocumentStatus.completed],
            failed=by[DocumentStatus.failed],
            cancelled=by[DocumentStatus.cancelled],
            is_running=pending > 0 and not paused and bool(workers.get("size")),
            paused=paused,
            active_workers=_count(workers.get("busy")),
            configured_workers=_count(workers.get("active", workers.get("size"))),
            current_file=current.filename if current else None,
            current_document_id=current.id if current else None,
        )

    async def rerun_failed(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        *,
        batch_id: str | None,
    ) -> RerunResult:
        failed = await ProcessingRepository.from_session(session).failed(principal, batch_id)
        for document in failed:
            await document_service.requeue(session, runtime, document)
        message = (
            f"Queued {len(failed)} failed document(s) again."
            if failed
            else ("No failed documents to rerun.")
        )
        return RerunResult(requeued=len(failed), message=message)

    # ---- the team's OCR mode -------------------------------------------------------------

    async def ocr_settings(self, session: AsyncSession, principal: Principal) -> OcrSettingsRead:
        row = await DocumentRepository.from_session(session).processing_settings(principal)
        if row is None:
            return OcrSettingsRead(ocr=OcrMode.auto, ocr_engine=OcrEngineName.auto, updated_at=None)
        return OcrSettingsRead.model_validate(row)

    async def update_ocr_settings(
        self, session: AsyncSession, principal: Principal, data: OcrSettingsUpdate
    ) -> OcrSettingsRead:
        repository = DocumentRepository.from_session(session)
        row = await repository.processing_settings(principal)
        if row is None:
            row = ProcessingSettings(team_id=principal.team_id)
            await repository.add_processing_settings(row)
        for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
            setattr(row, key, str(value))
        row.updated_by = principal.user_id
        await session.flush()
        return OcrSettingsRead.model_validate(row)

    # ---- this server ---------------------------------------------------------------------

    async def system_info(self, runtime: Runtime) -> SystemInfo:
        info: dict[str, Any] = await anyio.to_thread.run_sync(system_info)
        return SystemInfo(**info, workers=runtime.dispatcher.status())

    async def config(
        self, session: AsyncSession, principal: Principal, runtime: Runtime
    ) -> ConfigRead:
        settings = runtime.settings
        defaults = await self.ocr_settings(session, principal)
        engines = await anyio.to_thread.run_sync(engines_available)
        tesseract = engines.get("tesseract", {})
        return ConfigRead(
            executor=getattr(settings, "executor", "local"),
            workers=settings.workers,
            max_workers=min(MAX_WORKERS, settings.workers) if settings.workers else 0,
            job_time_limit_s=settings.job_time_limit_s,
            job_max_attempts=settings.job_max_attempts,
            worker_max_jobs=settings.worker_max_jobs,
            worker_max_rss_mb=settings.worker_max_rss_mb,
            ocr_dpi=settings.ocr_dpi,
            max_pages=settings.max_pages,
            max_upload_bytes=settings.max_upload_bytes,
            max_batch_files=settings.max_batch_files,
            analysis_enabled=settings.analysis_enabled,
            default_ocr=defaults.ocr,
            default_ocr_engine=defaults.ocr_engine,
            tesseract_languages=[lang for lang in tesseract.get("languages", []) if lang != "osd"],
        )


processing = ProcessingService()
