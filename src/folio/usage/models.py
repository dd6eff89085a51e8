from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, utcnow


class RequestUsage(Base):
    """The request log, aggregated: one row per (UTC day, team, key or user, method, route
    template), so it grows with the number of keys and routes, never with traffic."""

    __tablename__ = "request_usage"
    __table_args__ = (
        UniqueConstraint(
            "day", "team_id", "key_id", "user_id", "method", "route", name="uq_request_usage_bucket"
        ),
        Index("ix_request_usage_team_day", "team_id", "day"),
        Index("ix_request_usage_key_day", "key_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    key_id: Mapped[str] = mapped_column(String(40), default="")  # "" when not an API key
    user_id: Mapped[str] = mapped_column(String(40), default="")  # "" when no user
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(300))  # template: /api/v1/documents/{document_id}
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)  # responses with status >= 400
    latency_ms_total: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UsageCounter(Base):
    """Per team and calendar month: documents accepted. Deleting a document gives nothing
    back, so this cannot be derived from the documents table."""

    __tablename__ = "usage_counters"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    documents_processed: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
