from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from folio.core.schemas import Schema
from folio.pipeline import OcrEngineName, OcrMode

MIN_WORKERS, MAX_WORKERS = 1, 20


class StartRequest(Schema):
    workers: int | None = Field(
        default=None,
        ge=MIN_WORKERS,
        le=MAX_WORKERS,
        description="Worker processes that take jobs (1-20, at most the pool's size); "
        "default: all of them",
    )


class ProcessingState(Schema):
    running: bool = Field(description="Queued documents are being taken")
    executor: str
    pool_size: int
    active_workers: int = Field(description="Workers allowed to take jobs")
    busy_workers: int
    message: str


class ProcessingStats(Schema):
    """The team's documents (or one batch's): seed 003's ``/process/stats``."""

    total: int
    queued: int
    running: int
    processed: int = Field(description="successful + failed + cancelled")
    successful: int
    failed: int
    cancelled: int
    is_running: bool = Field(description="Workers take jobs and the team has work left")
    paused: bool
    active_workers: int = Field(description="This server's workers busy right now")
    configured_workers: int
    current_file: str | None = Field(description="The team's most recently started document")
    current_document_id: str | None


class RerunResult(Schema):
    requeued: int
    message: str


class OcrSettingsRead(Schema):
    ocr: OcrMode = Field(description="auto: OCR pages without text; force: every page; off")
    ocr_engine: OcrEngineName
    updated_at: datetime | None


class OcrSettingsUpdate(Schema):
    ocr: OcrMode | None = None
    ocr_engine: OcrEngineName | None = None


class SystemInfo(Schema):
    engines: dict[str, dict[str, Any]]
    versions: dict[str, str]
    cpu: dict[str, Any]
    memory: dict[str, Any]
    gpu: dict[str, Any]
    workers: dict[str, Any]


class ConfigRead(Schema):
    """The processing configuration in effect (no secrets)."""

    executor: str
    workers: int
    max_workers: int
    job_time_limit_s: float
    job_max_attempts: int
    worker_max_jobs: int
    worker_max_rss_mb: int
    ocr_dpi: int
    max_pages: int
    max_upload_bytes: int
    max_batch_files: int
    analysis_enabled: bool
    default_ocr: OcrMode
    default_ocr_engine: OcrEngineName
    tesseract_languages: list[str]


class RerunRequest(Schema):
    batch_id: str | None = Field(default=None, max_length=40, description="Only this batch's")
