from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from folio.core.crypto import EncryptedJSON
from folio.core.db import Base, TimestampMixin, str_enum, utcnow


class DocumentStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in {DocumentStatus.completed, DocumentStatus.failed, DocumentStatus.cancelled}


class StageName(StrEnum):
    upload = "upload"
    extraction = "extraction"
    analysis = "analysis"


class StageStatus(StrEnum):
    pending = "pending"
    running = "running"
    completed = "completed"
    failed = "failed"
    skipped = "skipped"


class Document(TimestampMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_team_sha256", "team_id", "sha256"),
        Index("ix_documents_team_status", "team_id", "status"),
        Index("ix_documents_team_id_id", "team_id", "id"),  # list pages: no sort, stop at limit
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("batches.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    declared_mime_type: Mapped[str | None] = mapped_column(String(200))
    extension_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[str | None] = mapped_column(String(40))
    blob_key: Mapped[str] = mapped_column(String(300))
    # who uploaded it (automation rules' "source" condition): a person, an API key, or both
    uploaded_by_user_id: Mapped[str | None] = mapped_column(String(40))
    uploaded_by_key_id: Mapped[str | None] = mapped_column(String(40))

    status: Mapped[DocumentStatus] = mapped_column(
        str_enum(DocumentStatus), default=DocumentStatus.queued
    )
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int | None] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_retryable: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    processing_time_ms: Mapped[int | None] = mapped_column(Integer)

    version: Mapped[int] = mapped_column(Integer, default=0)  # results version; 0 = none yet
    document_type: Mapped[str | None] = mapped_column(String(50), index=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    word_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    doc_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    ocr: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    engine_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # entities and PII values: encrypted at rest when FOLIO_ENCRYPTION_KEYS is set
    intelligence: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    pii_detected: Mapped[bool | None] = mapped_column(Boolean)
    # retention (folio.retention): the original file or the results were purged, the row stays
    original_deleted_at: Mapped[datetime | None] = mapped_column()
    results_deleted_at: Mapped[datetime | None] = mapped_column()
    # an automation's delete_after: the retention purge deletes the document from then on
    delete_after: Mapped[datetime | None] = mapped_column(index=True)
    # read copies of the document's tag names and custom-field values (folio.tags keeps them)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    pages: Mapped[list[DocumentPage]] = relationship(
        lazy="raise", order_by="DocumentPage.number", passive_deletes=True
    )


class DocumentPage(Base):
    __tablename__ = "document_pages"
    __table_args__ = (
        Index(
            "uq_document_pages_doc_version_number", "document_id", "version", "number", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(4))
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # compact rows: [text, x0, y0, x1, y1, start, end, confidence]
    words: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)


class DocumentVersion(Base):
    """What one processing run produced; its pages are ``DocumentPage`` rows of ``version``.
    The document row mirrors the latest version; older ones stay readable from here."""

    __tablename__ = "document_versions"
    __table_args__ = (
        Index("uq_document_versions_document_version", "document_id", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(40))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page_count: Mapped[int | None] = mapped_column(Integer)
    word_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(8))
    doc_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    ocr: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    engine_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # entities and PII values: encrypted at rest when FOLIO_ENCRYPTION_KEYS is set
    intelligence: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    document_type: Mapped[str | None] = mapped_column(String(50))
    processing_time_ms: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)


class ProcessingSettings(TimestampMixin, Base):
    """A team's processing defaults, used by uploads that do not choose for themselves."""

    __tablename__ = "processing_settings"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    ocr: Mapped[str] = mapped_column(String(10), default="auto")
    ocr_engine: Mapped[str] = mapped_column(String(20), default="auto")
    updated_by: Mapped[str | None] = mapped_column(String(40))
