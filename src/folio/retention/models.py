"""Retention policies, legal holds and the purge log of a team."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum, utcnow


class RetentionTarget(StrEnum):
    originals = "originals"  # the uploaded file (and files derived from it)
    results = "results"  # text, pages, versions and analysis
    documents = "documents"  # the whole document


class PurgeAction(StrEnum):
    original_deleted = "original_deleted"
    results_deleted = "results_deleted"
    document_deleted = "document_deleted"
    results_redacted = "results_redacted"
    held = "held"  # due, but a legal hold kept it


class RetentionPolicy(TimestampMixin, Base):
    __tablename__ = "retention_policies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    target: Mapped[RetentionTarget] = mapped_column(str_enum(RetentionTarget))
    days: Mapped[int] = mapped_column(Integer)  # after processing ended
    document_type: Mapped[str | None] = mapped_column(String(50))  # None: every type
    created_by: Mapped[str | None] = mapped_column(String(40))


class LegalHold(Base):
    """Blocks deletion of one document, or of every document of a batch, until released."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        Index("ix_legal_holds_team_document", "team_id", "document_id"),
        Index("ix_legal_holds_team_batch", "team_id", "batch_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    document_id: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    released_at: Mapped[datetime | None] = mapped_column()
    released_by: Mapped[str | None] = mapped_column(String(40))


class PurgeRecord(Base):
    """One thing retention or an erasure removed (or was kept by a hold). No foreign key to
    the document: the record outlives it."""

    __tablename__ = "purge_records"
    __table_args__ = (Index("ix_purge_records_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    document_type: Mapped[str | None] = mapped_column(String(50))
    action: Mapped[PurgeAction] = mapped_column(str_enum(PurgeAction, 30))
    source: Mapped[str] = mapped_column(String(60))  # "policy rtp_…" | "erasure era_…"
    bytes_freed: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
