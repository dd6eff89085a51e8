"""The period an analytics read or a report covers: named (``30d``, ``last_month`` …) or from
``start`` to ``end``, checked once here."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from folio.analytics.schemas import Granularity, Period
from folio.core.errors import FieldError, ValidationFailed

MAX_DAYS = 366
DEFAULT_DAYS = 30
RELATIVE = re.compile(r"^(\d{1,3})d$")
NAMED = ("this_month", "last_month", "this_week", "last_week")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, "invalid_period", message)])


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    first = day.replace(day=1)
    return date(first.year + 1, 1, 1) if first.month == 12 else first.replace(month=first.month + 1)


def _named(name: str, today: date) -> Period:
    if name == "this_month":
        return Period(month_start(today), today)
    if name == "last_month":
        end = month_start(today) - timedelta(days=1)
        return Period(month_start(end), end)
    monday = today - timedelta(days=today.weekday())
    if name == "this_week":
        return Period(monday, today)
    return Period(monday - timedelta(days=7), monday - timedelta(days=1))


def resolve_period(
    period: str | None, start: date | None, end: date | None, *, today: date | None = None
) -> Period:
    """``period`` is ``Nd`` (the last N days, today included) or one of ``NAMED``; it cannot be
    combined with ``start``/``end``. Without either: the last ``DEFAULT_DAYS`` days."""
    today = today or datetime.now(UTC).date()
    if period is not None:
        if start is not None or end is not None:
            raise _invalid("period", "Give period, or start and end, not both.")
        match = RELATIVE.match(period)
        if match:
            days = int(match.group(1))
            if not 1 <= days <= MAX_DAYS:
                raise _invalid("period", f"Nd needs 1 ≤ N ≤ {MAX_DAYS}.")
            return Period(today - timedelta(days=days - 1), today)
        if period in NAMED:
            return _named(period, today)
        raise _invalid("period", f"period is Nd (such as 30d) or one of {', '.join(NAMED)}.")
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise _invalid("end", "end must be on or after start.")
    if (end - start).days >= MAX_DAYS:
        raise _invalid("end", f"A period spans at most {MAX_DAYS} days.")
    return Period(start, end)


def label(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.week:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.month:
        return month_start(day)
    return day
