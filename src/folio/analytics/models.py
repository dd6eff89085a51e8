from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base


class HistogramBucket(Base):
    """One fixed-bucket histogram cell per (UTC day, team, metric, series): a count and a sum,
    so percentiles can be computed over any period by adding the cells."""

    __tablename__ = "analytics_histograms"
    __table_args__ = (
        UniqueConstraint(
            "day", "team_id", "metric", "series", "bucket", name="uq_analytics_histograms_cell"
        ),
        Index("ix_analytics_histograms_team_metric_day", "team_id", "metric", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))  # http_ms | page_ms
    series: Mapped[str] = mapped_column(String(320))  # "GET /api/v1/documents" or a kind
    bucket: Mapped[int] = mapped_column(Integer)  # index into histograms.BOUNDS_MS
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_ms: Mapped[float] = mapped_column(Float, default=0.0)
