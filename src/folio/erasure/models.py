"""Erasure requests: a person's data found across a team's documents, and what was done."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, str_enum, utcnow


class ErasureAction(StrEnum):
    report = "report"  # find only
    redact = "redact"  # scrub the person from stored text and results, delete the originals
    delete = "delete"  # delete the documents that mention the person


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"
    __table_args__ = (Index("ix_erasure_requests_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    requested_by: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[ErasureAction] = mapped_column(str_enum(ErasureAction))
    status: Mapped[str] = mapped_column(String(20), default="completed")
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column()
