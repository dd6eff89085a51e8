from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class Redaction(TimestampMixin, Base):
    """A redacted copy of a document's PDF: the boxes burnt in, the text under them gone."""

    __tablename__ = "redactions"
    __table_args__ = (Index("ix_redactions_document_id_id", "document_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    document_version: Mapped[int] = mapped_column(Integer)
    entity_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    requested_boxes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pages_redacted: Mapped[list[int]] = mapped_column(JSON, default=list)
    box_count: Mapped[int] = mapped_column(Integer)
    entity_count: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # entity type -> items
    whole_pages: Mapped[list[int]] = mapped_column(JSON, default=list)  # values without a box
    dpi: Mapped[int] = mapped_column(Integer)
    blob_key: Mapped[str] = mapped_column(String(300))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(40))
