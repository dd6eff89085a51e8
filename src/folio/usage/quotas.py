"""Quota rules: the monthly period, each plan's limits, and the error when one is used up."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from folio.config import Settings
from folio.core.errors import FolioError

FALLBACK_PLAN = "free"


class Quota(StrEnum):
    api_calls = "api_calls"
    documents_processed = "documents_processed"
    storage_bytes = "storage_bytes"


class QuotaExceeded(FolioError):
    """429, not 402: 402 is still "reserved for future use" (RFC 9110 §15.5.3) and clients'
    retry logic knows 429 + Retry-After; ``code`` tells it apart from a rate limit."""

    status = 429
    code = "QUOTA_EXCEEDED"
    title = "Quota exceeded"

    def __init__(
        self, quota: Quota, *, used: int, limit: int, resets_at: datetime | None, detail: str
    ) -> None:
        super().__init__(
            detail,
            quota=quota.value,
            used=used,
            limit=limit,
            resets_at=resets_at.isoformat() if resets_at else None,
        )
        if resets_at is not None:
            seconds = math.ceil((resets_at - datetime.now(UTC)).total_seconds())
            self.headers["Retry-After"] = str(max(1, seconds))


@dataclass(frozen=True)
class Period:
    start: date  # first day of the UTC calendar month
    end: date  # first day of the next month (exclusive)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def resets_at(self) -> datetime:
        return datetime.combine(self.end, time(), tzinfo=UTC)


def current_period(now: datetime | None = None) -> Period:
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    start = today.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return Period(start, end)


Overrides = tuple[tuple[str, int | None], ...]  # a team's own limits (system admins set them)


def plan_quotas(
    settings: Settings, plan: str, overrides: Overrides = ()
) -> dict[Quota, int | None]:
    return {quota: quota_limit(settings, plan, quota, overrides) for quota in Quota}


def quota_limit(
    settings: Settings, plan: str, quota: Quota, overrides: Overrides = ()
) -> int | None:
    """The team's override for ``quota`` if it has one, else its plan's (None: unlimited)."""
    for name, value in overrides:
        if name == quota.value:
            return value
    plans = settings.quota_plans
    configured = plans.get(plan) or plans.get(FALLBACK_PLAN) or {}
    return configured.get(quota.value)
