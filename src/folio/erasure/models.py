"""Erasure requests: a person's data found across a team's documents, and what was done."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, str_enum, utcnow


class ErasureAction(StrEnum):
    report = "report"  # find only
    redact = "redact"  # scrub the person from stored text and results, delete the originals
    delete = "delete"  # delete the documents that mention the person


class ErasureStatus(StrEnum):
    pending = "pending"  # accepted, waits for a runner
    running = "running"  # a runner holds its lease and works through the documents
    completed = "completed"
    failed = "failed"


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"
    __table_args__ = (
        Index("ix_erasure_requests_team_id_id", "team_id", "id"),
        Index("ix_erasure_requests_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    requested_by: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[ErasureAction] = mapped_column(str_enum(ErasureAction))
    status: Mapped[ErasureStatus] = mapped_column(
        str_enum(ErasureStatus), default=ErasureStatus.pending
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column()
    # the runner's lease, and how far it got: the last document examined (in id order)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    examined_through: Mapped[str | None] = mapped_column(String(40))
    documents_examined: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column()
    error_message: Mapped[str | None] = mapped_column(String(500))
