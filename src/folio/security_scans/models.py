from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum
from folio.pipeline.intelligence.types import Severity


class SecurityEventType(StrEnum):
    threat = "threat"  # active content, macros, EICAR, archive ratio, extension mismatch
    pii_detected = "pii_detected"
    compliance_indicator = "compliance_indicator"


class SecurityEvent(TimestampMixin, Base):
    """One finding of a security scan, on demand or during processing."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_team_id_id", "team_id", "id"),
        Index("ix_security_events_document_id", "document_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # kept after the document is deleted: the log of what was found stays
    document_id: Mapped[str] = mapped_column(String(40))
    document_version: Mapped[int | None] = mapped_column(Integer)
    scan_id: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(20))  # "scan" | "processing"
    type: Mapped[SecurityEventType] = mapped_column(str_enum(SecurityEventType, 30))
    code: Mapped[str] = mapped_column(String(80))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
