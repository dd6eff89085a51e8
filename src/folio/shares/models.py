from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class DocumentShare(TimestampMixin, Base):
    """A document shared by link (anyone holding the token may download it until it expires
    or is revoked) or with one member of its team."""

    __tablename__ = "document_shares"
    __table_args__ = (Index("ix_document_shares_team_document", "team_id", "document_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # link | member
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # links only
    recipient_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )
    assignment_id: Mapped[str | None] = mapped_column(String(40))  # a member's scoped read
    created_by: Mapped[str | None] = mapped_column(String(40))
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    download_count: Mapped[int] = mapped_column(Integer, default=0)
    last_accessed_at: Mapped[datetime | None] = mapped_column()
