from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import EmailStr, Field

from folio.core.schemas import BoundedDate, Schema
from folio.reports.models import Cadence, ReportFormat, ReportKind, ReportStatus

Recipients = Annotated[list[EmailStr], Field(max_length=20)]


class ReportCreate(Schema):
    kind: ReportKind
    format: ReportFormat = ReportFormat.pdf
    period: str | None = Field(
        default=None, max_length=20, description="Nd, this_month, last_month, this_week …"
    )
    start: BoundedDate | None = None
    end: BoundedDate | None = None
    recipients: Recipients = Field(
        default_factory=list, description="Mailed a link when the report is ready"
    )


class ReportRead(Schema):
    id: str
    team_id: str
    kind: ReportKind
    format: ReportFormat
    status: ReportStatus
    period_start: date
    period_end: date
    created_at: datetime
    ready_at: datetime | None
    bytes: int | None
    error_message: str | None
    schedule_id: str | None
    status_url: str
    download_url: str | None


class ScheduleCreate(Schema):
    kind: ReportKind
    format: ReportFormat = ReportFormat.pdf
    cadence: Cadence
    recipients: Annotated[list[EmailStr], Field(min_length=1, max_length=20)]


class ScheduleRead(Schema):
    id: str
    team_id: str
    kind: ReportKind
    format: ReportFormat
    cadence: Cadence
    recipients: list[str]
    next_run_at: datetime
    last_report_id: str | None
    created_at: datetime
