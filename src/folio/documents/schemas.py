from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import Row

from folio.core.errors import FieldError, ValidationFailed
from folio.core.schemas import Schema
from folio.documents.models import Document, DocumentStatus, StageName, StageStatus
from folio.jobs.models import JobPriority
from folio.pipeline import (
    DocumentKind,
    Metadata,
    OcrEngineName,
    OcrInfo,
    OcrMode,
    PageSource,
    Word,
)
from folio.pipeline.intelligence import Intelligence
from folio.pipeline.structure import Chunk

DocumentId = Annotated[str, Field(pattern=r"^doc_[0-9a-z]{26}$", examples=["doc_01jd…"])]

LANGUAGE_HINT = r"^[a-z]{2,3}$"
ComplianceFramework = Literal["gdpr", "hipaa", "sox", "pci_dss"]
SummaryLength = Literal["short", "medium", "long"]


def document_url(document_id: str) -> str:
    return f"/api/v1/documents/{document_id}"


class ProcessingOptions(BaseModel):
    """The ``options`` JSON of an upload."""

    model_config = ConfigDict(extra="forbid")

    ocr: OcrMode = OcrMode.auto
    ocr_engine: OcrEngineName = OcrEngineName.auto
    language: list[Annotated[str, Field(pattern=LANGUAGE_HINT)]] = Field(
        default_factory=list, max_length=5, description="ISO 639-1 hints for OCR, e.g. ['en']"
    )
    password: str | None = Field(default=None, max_length=1024, description="For encrypted PDFs")
    priority: str = Field(default="normal", pattern="^(low|normal|high)$")
    analyze: bool | None = Field(
        default=None,
        description="Classify and find entities, PII, insights (default: the "
        "server's FOLIO_ANALYSIS_ENABLED)",
    )
    perform_security_scan: bool = True
    generate_insights: bool = True
    compliance_frameworks: list[ComplianceFramework] = Field(default_factory=list, max_length=4)
    summary_length: SummaryLength = "medium"
    template: str | None = Field(
        default=None,
        max_length=100,
        description="Apply this template once processed (a built-in, or a team template's "
        "id or name); its extraction is stored",
    )

    @field_validator("language", mode="before")
    @classmethod
    def accept_single_language(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def job_priority(self) -> JobPriority:
        return JobPriority[self.priority]

    @classmethod
    def from_form(cls, raw: str | None) -> ProcessingOptions:
        """Parses the multipart ``options`` field; bad JSON or values become a 422."""
        if raw is None or not raw.strip():
            return cls()
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            raise ValidationFailed(
                [
                    FieldError(".".join(["options", *map(str, e["loc"])]), e["type"], e["msg"])
                    for e in exc.errors()
                ]
            ) from exc

    def public(self) -> dict[str, Any]:
        """What may be stored and shown: everything but the password."""
        return self.model_dump(mode="json", exclude={"password"})


class StageRead(Schema):
    name: StageName
    status: StageStatus
    started_at: datetime | None = None
    completed_at: datetime | None = None


class ErrorInfo(Schema):
    code: str
    message: str
    retryable: bool


class DocumentLinks(Schema):
    self: str
    results: str
    text: str
    file: str


class DocumentRead(Schema):
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
    progress: int = Field(ge=0, le=100)
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
    tags: list[str] = Field(default_factory=list, description="Tag names, sorted")
    custom_fields: dict[str, Any] = Field(
        default_factory=dict, description="Custom-field values by field name"
    )
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    delete_after: datetime | None = Field(
        default=None, description="When the retention purge deletes it (an automation set it)"
    )
    status_url: str
    links: DocumentLinks

    @model_validator(mode="before")
    @classmethod
    def from_document(cls, data: Any) -> Any:
        """From a ``Document`` or a row of ``DocumentRepository``'s summary columns (an
        SQLAlchemy ``Row`` or a ``PreparedSelect`` named tuple)."""
        if isinstance(data, Document):
            fields = {name: getattr(data, name) for name in DOCUMENT_READ_COLUMNS}
        elif isinstance(data, Row | tuple) and hasattr(data, "_fields"):
            fields = dict(zip(data._fields, data, strict=True))  # unshown columns are ignored
        else:
            return data
        url = document_url(data.id)
        error = None
        if data.error_code is not None:
            error = ErrorInfo(
                code=data.error_code,
                message=data.error_message or "",
                retryable=bool(data.error_retryable),
            )
        links = DocumentLinks(
            self=url, results=f"{url}/results", text=f"{url}/text", file=f"{url}/file"
        )
        labels = {
            "tags": fields.get("tags") or [],
            "custom_fields": fields.get("custom_fields") or {},
        }
        return {**fields, **labels, "error": error, "status_url": url, "links": links}


# the fields of DocumentRead read straight from a document's columns
DOCUMENT_READ_COLUMNS = tuple(
    name for name in DocumentRead.model_fields if name not in ("error", "status_url", "links")
)


class PageRead(BaseModel):
    number: int
    width: float
    height: float
    unit: str
    rotation: int
    source: PageSource
    text: str
    ocr_confidence: float | None = None
    words: list[Word] | None = None


class DocumentResults(BaseModel):
    """The extraction result; ``folio process --json`` prints the same shape."""

    document_id: str | None
    filename: str | None
    version: int
    kind: DocumentKind
    mime_type: str
    metadata: Metadata
    ocr: OcrInfo
    warnings: list[str]
    engine_versions: dict[str, str]
    intelligence: Intelligence | None = Field(
        default=None,
        description="Classification, entities, PII, security, compliance, "
        "summary, insights and recommendations (when analysis ran)",
    )
    pages: list[PageRead]


class ReprocessRequest(BaseModel):
    """New options for another processing run; unset ones keep the document's stored options."""

    model_config = ConfigDict(extra="forbid")

    options: ProcessingOptions | None = None


class DocumentVersionRead(Schema):
    version: int
    latest: bool
    job_id: str | None
    options: dict[str, Any]
    page_count: int | None
    word_count: int | None
    language: str | None
    document_type: str | None
    ocr: OcrInfo | None
    engine_versions: dict[str, str]
    processing_time_ms: int | None
    started_at: datetime | None
    created_at: datetime
    results_url: str


class DocumentVersions(Schema):
    document_id: str
    status: DocumentStatus
    latest_version: int = Field(description="0 until the first processing run succeeds")
    items: list[DocumentVersionRead]


BulkAction = Literal["process", "reprocess", "cancel"]
MAX_BULK = 500


class BulkProcessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_ids: list[DocumentId] = Field(min_length=1, max_length=MAX_BULK)
    action: BulkAction
    options: ProcessingOptions | None = Field(
        default=None, description="For process and reprocess: options to change"
    )


class BulkDeleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_ids: list[DocumentId] = Field(min_length=1, max_length=MAX_BULK)


class BulkItem(Schema):
    document_id: str
    outcome: Literal["accepted", "skipped", "not_found"]
    status: DocumentStatus | None = None
    detail: str | None = None


class BulkResult(Schema):
    action: str
    requested: int
    accepted: int
    skipped: int
    not_found: int
    items: list[BulkItem]


MarkdownFormat = Literal["markdown", "json"]
TOKENIZER = r"regex \w+|[^\w\s] (words, numbers and single punctuation marks)"


class SourceBoxRead(BaseModel):
    page: int
    bbox: tuple[float, float, float, float] = Field(description="[x0, y0, x1, y1] in page units")


class FurnitureRead(SourceBoxRead):
    text: str
    words: list[int] = Field(description="Indexes of its words in the page's `words`")


class DocumentMarkdown(BaseModel):
    document_id: str
    version: int
    markdown: str
    furniture: list[FurnitureRead] = Field(
        description="Running headers, footers and page numbers left out of the Markdown"
    )


class DocumentChunkRead(BaseModel):
    index: int
    text: str
    tokens: int
    headings: list[str] = Field(description="The headings the chunk is under, outermost first")
    pages: list[int]
    boxes: list[SourceBoxRead] = Field(description="Where its text is: one box per line piece")

    @classmethod
    def of(cls, index: int, chunk: Chunk) -> DocumentChunkRead:
        return cls(
            index=index,
            text=chunk.text,
            tokens=chunk.tokens,
            headings=chunk.headings,
            pages=chunk.pages,
            boxes=[SourceBoxRead(page=box.page, bbox=box.bbox) for box in chunk.boxes],
        )


class DocumentChunks(BaseModel):
    document_id: str | None
    version: int
    max_tokens: int
    overlap: int
    tokenizer: str = TOKENIZER
    chunks: list[DocumentChunkRead]
