from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class IdempotencyRecord(TimestampMixin, Base):
    """The resource a POST with an ``Idempotency-Key`` created; a retry returns it again."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("team_id", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(100))  # the operation, e.g. "documents.create"
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(40))
