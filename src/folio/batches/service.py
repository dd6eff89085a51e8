"""Batches: many uploads at once, tracked, retried and cancelled together."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.models import Batch
from folio.batches.repository import BatchFields, BatchRepository, Timing
from folio.batches.schemas import (
    BatchCreated,
    BatchDocumentStatus,
    BatchRead,
    BatchTimings,
    BatchTotals,
    RejectedFile,
)
from folio.core.db import utcnow
from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.prepared import ResultRow
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.files import IncomingFile
from folio.documents.models import Document, DocumentStatus
from folio.documents.schemas import DocumentRead, ProcessingOptions
from folio.documents.service import document as document_service
from folio.events.service import event as event_service
from folio.idempotency.service import fingerprint
from folio.idempotency.service import idempotency as idempotency_service

SCOPE_CREATE = "batches.create"
FINAL = [DocumentStatus.completed, DocumentStatus.failed, DocumentStatus.cancelled]


def batch_url(batch_id: str) -> str:
    return f"/api/v1/batches/{batch_id}"


def _timing_of(rows: Sequence[ResultRow]) -> Timing:
    """``BatchRepository.timing_figures`` worked out from rows already loaded."""
    starts = [row.started_at for row in rows if row.started_at is not None]
    ends = [row.completed_at for row in rows if row.completed_at is not None]
    times = [row.processing_time_ms for row in rows if row.processing_time_ms is not None]
    return (
        min(starts, default=None),
        max(ends, default=None),
        sum(times) / len(times) if times else None,
    )


class BatchService:
    async def create_once(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        files: Sequence[IncomingFile],
        options: ProcessingOptions,
        *,
        name: str | None,
        idempotency_key: str | None,
    ) -> BatchCreated:
        request_print = fingerprint(
            [SCOPE_CREATE, name, [f.filename for f in files], options.model_dump()]
        )
        if idempotency_key is not None:
            existing = await idempotency_service.replayed_resource(
                session,
                principal,
                scope=SCOPE_CREATE,
                key=idempotency_key,
                request_fingerprint=request_print,
            )
            if existing is not None:
                batch = await self._get(session, principal, existing)
                documents = await BatchRepository.from_session(session).documents(batch)
                return self._created(batch, documents, [])
        batch, documents, rejected = await self.create(
            session, principal, runtime, files, options, name=name
        )
        if idempotency_key is not None:
            await idempotency_service.remember(
                session,
                principal,
                scope=SCOPE_CREATE,
                key=idempotency_key,
                request_fingerprint=request_print,
                resource_id=batch.id,
            )
        return self._created(batch, documents, rejected)

    def _created(
        self, batch: Batch, documents: Sequence[Document], rejected: list[RejectedFile]
    ) -> BatchCreated:
        return BatchCreated(
            id=batch.id,
            name=batch.name,
            created_at=batch.created_at,
            status_url=batch_url(batch.id),
            documents=[DocumentRead.model_validate(d) for d in documents],
            rejected=rejected,
        )

    async def create(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        files: Sequence[IncomingFile],
        options: ProcessingOptions,
        *,
        name: str | None,
    ) -> tuple[Batch, list[Document], list[RejectedFile]]:
        """Accepts every good file; a bad one is reported and harms no other."""
        if not files:
            raise ValidationFailed([FieldError("files", "missing", "Send at least one file.")])
        if len(files) > runtime.settings.max_batch_files:
            raise ValidationFailed(
                [
                    FieldError(
                        "files", "too_many", f"At most {runtime.settings.max_batch_files} files."
                    )
                ]
            )
        batch = BatchRepository.from_session(session).add_pending(
            Batch(id=new_id(IdPrefix.batch), team_id=principal.team_id, name=name)
        )
        outcome = await document_service.upload_many(
            session, principal, runtime, files, options, batch_id=batch.id
        )
        documents = outcome.documents
        rejected = [
            RejectedFile(
                filename=incoming.filename,
                status=error.status,
                code=error.code,
                detail=error.detail,
            )
            for incoming, error in outcome.rejected
        ]
        if not documents:
            raise ValidationFailed(
                [
                    FieldError(f"files[{i}]", r.code.lower(), r.detail)
                    for i, r in enumerate(rejected)
                ],
                "No file was accepted.",
            )
        return batch, documents, rejected

    async def _get(self, session: AsyncSession, principal: Principal, batch_id: str) -> Batch:
        batch = await BatchRepository.from_session(session).get(principal, batch_id)
        if batch is None:
            raise NotFound(f"No batch {batch_id}.")
        return batch

    async def get(self, session: AsyncSession, principal: Principal, batch_id: str) -> BatchRead:
        repository = BatchRepository.from_session(session)
        batch = await repository.status_row(principal, batch_id)
        if batch is None:
            raise NotFound(f"No batch {batch_id}.")
        rows = await repository.document_statuses(batch)
        read = self._read(batch, Counter(row.status for row in rows), _timing_of(rows))
        read.documents = [BatchDocumentStatus.model_validate(row) for row in rows]
        return read

    async def list_batches(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[BatchRead]:
        repository = BatchRepository.from_session(session)
        batches = await repository.list_page(principal, limit=page.limit, before=page.after)
        batch_ids = [batch.id for batch in batches]
        counts = await repository.status_counts(batch_ids)
        timings = await repository.timing_figures(batch_ids)
        items = [self._read(batch, counts[batch.id], timings[batch.id]) for batch in batches]
        return Page.from_rows(items, page.limit, cursor=lambda read: read.id)

    def _read(self, batch: BatchFields, counts: Mapping[str, int], timing: Timing) -> BatchRead:
        totals = self._totals(counts)
        first_start, last_end, mean_ms = timing
        completed_at = batch.completed_at or (
            last_end if totals.processed == totals.total else None
        )
        elapsed = (completed_at - batch.created_at) if completed_at else None
        return BatchRead(
            id=batch.id,
            team_id=batch.team_id,
            name=batch.name,
            status=self._status(batch, totals),
            created_at=batch.created_at,
            cancelled_at=batch.cancelled_at,
            totals=totals,
            status_url=batch_url(batch.id),
            timings=BatchTimings(
                started_at=first_start,
                completed_at=completed_at,
                elapsed_ms=int(elapsed.total_seconds() * 1000) if elapsed else None,
                mean_processing_time_ms=round(mean_ms, 1) if mean_ms is not None else None,
            ),
        )

    def _totals(self, counts: Mapping[str, int]) -> BatchTotals:
        by_status = {status.value: counts.get(status, 0) for status in DocumentStatus}
        processed = sum(by_status[s] for s in FINAL)
        rate = by_status[DocumentStatus.completed] / processed if processed else None
        return BatchTotals(
            total=sum(by_status.values()), processed=processed, success_rate=rate, **by_status
        )

    def _status(self, batch: BatchFields, totals: BatchTotals) -> str:
        if batch.cancelled_at is not None:
            return "cancelled"
        return "completed" if totals.processed == totals.total else "processing"

    async def retry_failed(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, batch_id: str
    ) -> int:
        batch = await self._get(session, principal, batch_id)
        retried = 0
        for document in await BatchRepository.from_session(session).documents(batch):
            if document.status in (DocumentStatus.failed, DocumentStatus.cancelled):
                await document_service.requeue(session, runtime, document)
                retried += 1
        if retried:
            batch.completed_at = batch.cancelled_at = None
        return retried

    async def cancel(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, batch_id: str
    ) -> int:
        batch = await self._get(session, principal, batch_id)
        documents = await BatchRepository.from_session(session).documents(batch)
        cancelled = await document_service.cancel(session, runtime, documents)
        batch.cancelled_at = utcnow()
        await self.settle_if_done(session, runtime, batch.id)
        return cancelled

    async def move_document(
        self, session: AsyncSession, runtime: Runtime, document: Document, batch: Batch
    ) -> str | None:
        """Files ``document`` under ``batch`` (of its team); the batch it leaves may now be
        settled. Returns the batch it left."""
        left = document.batch_id
        if left == batch.id:
            return left
        document.batch_id = batch.id
        if left is not None:
            await self.settle_if_done(session, runtime, left)
        return left

    async def settle_if_done(self, session: AsyncSession, runtime: Runtime, batch_id: str) -> None:
        """Announces ``batch.completed`` once, when the last document reaches a final status."""
        repository = BatchRepository.from_session(session)
        await session.flush()
        batch = await repository.get_for_update(batch_id)
        if batch is None or batch.completed_at is not None:
            return
        if await repository.unsettled_count(batch_id) > 0:
            return
        batch.completed_at = utcnow()
        counts = (await repository.status_counts([batch_id]))[batch_id]
        totals = self._totals(counts).model_dump()
        await event_service.emit(
            session,
            runtime,
            Event(
                type="batch.completed",
                team_id=batch.team_id,
                data={"batch_id": batch.id, "totals": totals},
            ),
        )


batch = BatchService()
