"""A reviewer's correction of one extracted field: what it was, what it became, and who."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class ExtractionCorrection(TimestampMixin, Base):
    """The extraction itself carries the corrected value (so validation and exports use it);
    this row keeps the history: every correction with the value it replaced."""

    __tablename__ = "extraction_corrections"
    __table_args__ = (Index("ix_extraction_corrections_extraction", "extraction_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    extraction_id: Mapped[str] = mapped_column(ForeignKey("extractions.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(100))
    previous_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    previous_confidence: Mapped[float | None] = mapped_column(nullable=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    raw: Mapped[str] = mapped_column(String(2000))
    corrected_by: Mapped[str | None] = mapped_column(String(40))
