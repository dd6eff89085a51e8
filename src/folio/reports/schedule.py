"""When a schedule runs next, and which period its report covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from folio.analytics.periods import month_start, next_month
from folio.analytics.schemas import Period
from folio.reports.models import Cadence


def next_run(cadence: Cadence, now: datetime) -> datetime:
    """The next Monday (weekly) or first of a month (monthly), 00:00 UTC, after ``now``."""
    today = now.astimezone(UTC).date()
    if cadence is Cadence.weekly:
        day = today + timedelta(days=7 - today.weekday())
    else:
        day = next_month(today)
    return datetime.combine(day, time.min, tzinfo=UTC)


def covered_period(cadence: Cadence, run_at: datetime) -> Period:
    """The full week (Monday to Sunday) or month before ``run_at``'s day."""
    today: date = run_at.astimezone(UTC).date()
    if cadence is Cadence.weekly:
        monday = today - timedelta(days=today.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    end = month_start(today) - timedelta(days=1)
    return Period(month_start(end), end)
