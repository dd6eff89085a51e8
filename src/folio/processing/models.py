from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class ProcessingSettings(TimestampMixin, Base):
    """A team's processing defaults, used by uploads that do not choose for themselves."""

    __tablename__ = "processing_settings"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    ocr: Mapped[str] = mapped_column(String(10), default="auto")
    ocr_engine: Mapped[str] = mapped_column(String(20), default="tesseract")
    updated_by: Mapped[str | None] = mapped_column(String(40))
