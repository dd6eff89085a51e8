"""The API's response models, named as the components of the server's OpenAPI document.

Hand-written and checked against ``/openapi.json`` by the test suite (same field names, same JSON
types, same required fields), so a server change that breaks them fails CI. Unknown fields that
a newer server adds are kept (``extra="allow"``), so an older client keeps working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DocumentStatus = Literal["queued", "processing", "completed", "failed", "cancelled"]
DocumentKind = Literal["pdf", "image", "docx", "xlsx", "pptx", "text", "html", "email"]
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None
    has_more: bool


class ProblemFieldError(Model):
    field: str
    code: str
    message: str


class Problem(Model):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str
    errors: list[ProblemFieldError] | None = None


class ErrorInfo(Model):
    code: str
    message: str
    retryable: bool


class StageRead(Model):
    name: str
    status: str
    started_at: datetime | None = None
    completed_at: datetime | None = None


class DocumentLinks(Model):
    self_: str = Field(alias="self")
    results: str
    text: str
    file: str


class DocumentRead(Model):
    id: str
    team_id: str
    batch_id: str | None
    filename: str
    mime_type: str
    kind: DocumentKind
    size_bytes: int
    sha256: str
    extension_mismatch: bool
    duplicate_of: str | None
    status: DocumentStatus
    progress: int
    stages: list[StageRead]
    pages_total: int | None
    pages_done: int
    error: ErrorInfo | None
    processing_time_ms: int | None
    document_type: str | None
    page_count: int | None
    word_count: int | None
    language: str | None
    pii_detected: bool | None
    options: dict[str, Any]
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    delete_after: datetime | None = None
    status_url: str
    links: DocumentLinks

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES


class DocumentResults(Model):
    """What ``/results`` answers; the nested parts (pages with words and boxes, metadata,
    intelligence) are plain dicts, as documented in the API reference."""

    document_id: str | None
    filename: str | None
    version: int
    kind: DocumentKind
    mime_type: str
    metadata: dict[str, Any]
    ocr: dict[str, Any]
    warnings: list[Any]
    engine_versions: dict[str, Any]
    intelligence: dict[str, Any] | None = None
    pages: list[dict[str, Any]]


class SourceBox(Model):
    page: int
    bbox: tuple[float, float, float, float]


class Chunk(Model):
    """A piece of a document's text for retrieval, with where it came from."""

    index: int
    text: str
    tokens: int
    headings: list[str]
    pages: list[int]
    boxes: list[SourceBox]


class DocumentChunks(Model):
    document_id: str | None
    version: int
    max_tokens: int
    overlap: int
    tokenizer: str
    chunks: list[Chunk]


class RejectedFile(Model):
    filename: str | None
    status: int
    code: str
    detail: str


class BatchCreated(Model):
    id: str
    name: str | None
    created_at: datetime
    status_url: str
    documents: list[DocumentRead]
    rejected: list[RejectedFile]


class BatchTotals(Model):
    total: int
    queued: int
    processing: int
    completed: int
    failed: int
    cancelled: int
    processed: int
    success_rate: float | None


class BatchTimings(Model):
    started_at: datetime | None
    completed_at: datetime | None
    elapsed_ms: int | None
    mean_processing_time_ms: float | None


class BatchDocumentStatus(Model):
    id: str
    filename: str
    status: DocumentStatus
    progress: int
    error_code: str | None
    processing_time_ms: int | None


class BatchRead(Model):
    id: str
    team_id: str
    name: str | None
    status: str
    created_at: datetime
    cancelled_at: datetime | None
    totals: BatchTotals
    timings: BatchTimings
    documents: list[BatchDocumentStatus] | None = None
    status_url: str


class WebhookRead(Model):
    id: str
    team_id: str
    url: str
    description: str | None
    event_types: list[str]
    max_attempts: int
    is_active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str  # shown once: keep it to verify deliveries (folio_client.verify_webhook)


class WebhookTestResult(Model):
    ok: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str | None


class DeliveryRead(Model):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_latency_ms: int | None
    request_excerpt: str | None
    response_excerpt: str | None
    delivered_at: datetime | None
    created_at: datetime


class EventRead(Model):
    """The one event envelope of WebSocket, webhooks and ``/events``."""

    id: str
    type: str
    created_at: datetime
    team_id: str
    data: dict[str, Any]


class KeyRead(Model):
    id: str
    team_id: str
    user_id: str
    name: str
    masked_key: str
    scopes: list[str]
    rate_limit_per_minute: int | None
    status: str
    is_active: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    replaced_by: str | None
    grace_until: datetime | None
    allowed_ips: list[str] | None  # CIDRs the key may be used from; None: any address
    created_at: datetime


class KeyCreated(KeyRead):
    key: str  # the secret, shown once


class TeamRead(Model):
    id: str
    name: str
    description: str | None
    is_personal: bool
    plan: str
    settings: dict[str, Any]
    role: str | None = None
    member_count: int | None = None
    created_at: datetime


class UserRead(Model):
    id: str
    email: str
    name: str
    email_verified: bool
    mfa_enabled: bool
    is_admin: bool
    personal_team_id: str | None
    created_at: datetime


class TokenPair(Model):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    session_id: str


class LoginResult(Model):
    mfa_required: bool = False
    mfa_token: str | None = None
    tokens: TokenPair | None = None
    user: UserRead | None = None


class TemplateRead(Model):
    """A template: a built-in (``builtin``, no team) or one of the team's (``tpl_…``)."""

    id: str
    team_id: str | None
    name: str
    description: str
    version: int
    builtin: bool
    fields: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    date_order: str
    created_at: datetime | None
    updated_at: datetime | None


class TemplateVersionRead(Model):
    version: int
    description: str
    fields: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    date_order: str
    created_at: datetime | None


class ApplyResult(Model):
    """What applying a template answers; ``results`` has one entry per document."""

    template_id: str
    template_name: str
    template_version: int
    extracted: int
    not_ready: int
    results: list[dict[str, Any]]


class ExtractionRead(Model):
    id: str
    document_id: str
    document_version: int
    template_id: str | None
    template_name: str
    template_version: int
    values: dict[str, Any]
    fields: dict[str, Any]
    review: list[str] = []
    tables: list[Any]
    validation: dict[str, Any] | None
    llm_pending: list[str]
    warnings: list[str]
    created_at: datetime


class ValidationRead(Model):
    document_id: str
    extraction_id: str | None
    template_name: str
    template_version: int
    passed: bool
    failed: int
    results: list[dict[str, Any]]


class ProjectRead(Model):
    """An image project: crawl jobs fill it, datasets export it."""

    id: str
    team_id: str
    name: str
    description: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    job_count: int = 0
    image_count: int = 0
    dataset_count: int = 0


CrawlStatus = Literal["pending", "running", "paused", "stopped", "completed", "failed"]


class CrawlJobRead(Model):
    id: str
    project_id: str
    name: str | None
    engines: list[str]
    keywords: list[str]
    seeds: list[str]
    allowed_domains: list[str]
    max_depth: int
    max_images: int
    quality_filters: dict[str, Any]
    labels: list[str]
    status: CrawlStatus
    error_code: str | None
    error_message: str | None
    errors: list[Any]
    images_downloaded: int
    images_valid: int
    images_failed: int
    images_duplicate: int
    credits_used: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class CrawlProgress(Model):
    job_id: str
    status: CrawlStatus
    progress: int
    total_chunks: int
    active_chunks: int
    pending_chunks: int
    completed_chunks: int
    failed_chunks: int
    images_downloaded: int
    images_validated: int
    images_failed: int
    images_duplicate: int
    images_accepted: int
    credits_used: int
    error_code: str | None
    estimated_completion: datetime | None


class CrawlChunk(Model):
    """One unit of a crawl job's work (a keyword page, a seed, a slice of a URL list)."""

    id: str
    engine: str
    spec: dict[str, Any]
    status: str
    attempts: int
    candidates: int
    accepted: int
    error_code: str | None
    error_message: str | None
    started_at: datetime | None
    finished_at: datetime | None


DatasetStatus = Literal["pending", "building", "ready", "failed"]
DATASET_FINAL: frozenset[str] = frozenset({"ready", "failed"})


class DatasetRead(Model):
    id: str
    project_id: str
    format: Literal["zip", "webdataset", "parquet"]
    status: DatasetStatus
    split: dict[str, Any]
    seed: int
    image_count: int
    split_counts: dict[str, Any]
    bytes: int
    error_message: str | None
    created_at: datetime
    ready_at: datetime | None
    download_url: str | None = None


# model -> the component of the server's OpenAPI document it mirrors (checked by the tests)
COMPONENTS: dict[type[BaseModel], str] = {
    Problem: "Problem",
    ProblemFieldError: "ProblemFieldError",
    ErrorInfo: "ErrorInfo",
    StageRead: "StageRead",
    DocumentLinks: "DocumentLinks",
    DocumentRead: "DocumentRead",
    DocumentResults: "DocumentResults",
    SourceBox: "SourceBoxRead",
    Chunk: "DocumentChunkRead",
    DocumentChunks: "DocumentChunks",
    RejectedFile: "RejectedFile",
    BatchCreated: "BatchCreated",
    BatchTotals: "BatchTotals",
    BatchTimings: "BatchTimings",
    BatchDocumentStatus: "BatchDocumentStatus",
    BatchRead: "BatchRead",
    WebhookRead: "WebhookRead",
    WebhookCreated: "WebhookCreated",
    WebhookTestResult: "WebhookTestResult",
    DeliveryRead: "DeliveryRead",
    EventRead: "EventRead",
    KeyRead: "KeyRead",
    KeyCreated: "KeyCreated",
    TeamRead: "TeamRead",
    UserRead: "UserRead",
    TokenPair: "TokenPair",
    LoginResult: "LoginResult",
    TemplateRead: "TemplateRead",
    TemplateVersionRead: "TemplateVersionRead",
    ApplyResult: "ApplyResult",
    ExtractionRead: "ExtractionRead",
    ValidationRead: "ValidationRead",
    ProjectRead: "ProjectRead",
    CrawlJobRead: "CrawlJobRead",
    CrawlProgress: "CrawlProgress",
    CrawlChunk: "ChunkRead",
    DatasetRead: "DatasetRead",
}
