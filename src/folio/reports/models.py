from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum


class ReportKind(StrEnum):
    usage = "usage"
    performance = "performance"
    compliance = "compliance"
    audit = "audit"
    pii_inventory = "pii_inventory"


class ReportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    pdf = "pdf"


class ReportStatus(StrEnum):
    pending = "pending"
    building = "building"
    ready = "ready"
    failed = "failed"


class Cadence(StrEnum):
    weekly = "weekly"  # every Monday, covering the week before
    monthly = "monthly"  # every first of the month, covering the month before


class Report(TimestampMixin, Base):
    """One report file of a team, built in the background under a lease."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_team_id_id", "team_id", "id"),
        Index("ix_reports_status", "status"),
        Index("ux_reports_schedule_slot", "schedule_id", "period_start", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind))
    format: Mapped[ReportFormat] = mapped_column(str_enum(ReportFormat, 10))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # inclusive
    status: Mapped[ReportStatus] = mapped_column(
        str_enum(ReportStatus), default=ReportStatus.pending
    )
    created_by: Mapped[str | None] = mapped_column(String(40))
    schedule_id: Mapped[str | None] = mapped_column(String(40))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # mailed when ready
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    blob_key: Mapped[str | None] = mapped_column(String(300))
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    error_message: Mapped[str | None] = mapped_column(Text)
    ready_at: Mapped[datetime | None] = mapped_column()


class ReportSchedule(TimestampMixin, Base):
    """A report made every week or month and mailed to a list."""

    __tablename__ = "report_schedules"
    __table_args__ = (
        Index("ix_report_schedules_team_id_id", "team_id", "id"),
        Index("ix_report_schedules_next_run_at", "next_run_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind))
    format: Mapped[ReportFormat] = mapped_column(str_enum(ReportFormat, 10))
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(40))
    next_run_at: Mapped[datetime] = mapped_column()
    last_report_id: Mapped[str | None] = mapped_column(String(40))
