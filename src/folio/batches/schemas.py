from __future__ import annotations

from datetime import datetime

from pydantic import Field

from folio.core.schemas import Schema
from folio.documents.models import DocumentStatus
from folio.documents.schemas import DocumentRead


class RejectedFile(Schema):
    filename: str | None
    status: int
    code: str
    detail: str


class BatchCreated(Schema):
    id: str
    name: str | None
    created_at: datetime
    status_url: str
    documents: list[DocumentRead]
    rejected: list[RejectedFile]


class BatchDocumentStatus(Schema):
    id: str
    filename: str
    status: DocumentStatus
    progress: int
    error_code: str | None
    processing_time_ms: int | None


class BatchTotals(Schema):
    total: int
    queued: int
    processing: int
    completed: int
    failed: int
    cancelled: int
    processed: int = Field(description="Documents that reached a final status")
    success_rate: float | None = Field(description="completed / processed, 0..1")


class BatchTimings(Schema):
    started_at: datetime | None
    completed_at: datetime | None
    elapsed_ms: int | None
    mean_processing_time_ms: float | None


class BatchRead(Schema):
    id: str
    team_id: str
    name: str | None
    status: str = Field(description="processing | completed | cancelled")
    created_at: datetime
    cancelled_at: datetime | None
    totals: BatchTotals
    timings: BatchTimings
    documents: list[BatchDocumentStatus] | None = None
    status_url: str


class BatchActionResult(Schema):
    batch_id: str
    affected: int
