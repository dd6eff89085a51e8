"""The request log in memory: aggregated per (day, team, key/user, method, route) and written
in batches, plus the per-team API-call counts that enforce the monthly quota without a query
per request."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from folio.config import Settings
from folio.core.db import Database, utcnow
from folio.core.principal import Principal
from folio.usage.quotas import Quota, QuotaExceeded, current_period, quota_limit
from folio.usage.repository import UsageRepository

BASE_TTL_S = 60.0  # re-read a team's monthly total this often (other processes count too)


@dataclass(frozen=True)
class Bucket:
    day: date
    team_id: str
    key_id: str
    user_id: str
    method: str
    route: str


@dataclass
class Counts:
    requests: int = 0
    errors: int = 0
    latency_ms_total: float = 0.0


class UsageMeter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db: Database | None = None
        self._pending: dict[Bucket, Counts] = {}
        self._inflight: dict[Bucket, Counts] = {}
        # requests per (team, month) not yet in the database: pending, and being written
        self._pending_calls: Counter[tuple[str, date]] = Counter()
        self._inflight_calls: Counter[tuple[str, date]] = Counter()
        self._month_calls: dict[tuple[str, date], tuple[int, float]] = {}  # base, loaded at
        self._lock = asyncio.Lock()

    # ---- recording -----------------------------------------------------------------------

    def record(
        self, principal: Principal, *, method: str, route: str, status: int, latency_ms: float
    ) -> None:
        bucket = Bucket(
            day=datetime.now(UTC).date(),
            team_id=principal.team_id,
            key_id=principal.key_id or "",
            user_id=principal.user_id or "",
            method=method,
            route=route[:300],
        )
        counts = self._pending.get(bucket)
        if counts is None:
            counts = self._pending[bucket] = Counts()
        counts.requests += 1
        counts.errors += status >= 400
        counts.latency_ms_total += latency_ms
        self._pending_calls[(bucket.team_id, bucket.day.replace(day=1))] += 1

    def unflushed_calls(self, team_id: str, month: date) -> int:
        key = (team_id, month)
        return self._pending_calls[key] + self._inflight_calls[key]

    @property
    def pending_buckets(self) -> int:
        return len(self._pending)

    # ---- writing ---------------------------------------------------------------------------

    async def flush(self) -> None:
        async with self._lock:
            if not self._pending or self.db is None:
                return
            self._inflight, self._pending = self._pending, {}
            self._inflight_calls, self._pending_calls = self._pending_calls, Counter()
            rows = [self._row(bucket, counts) for bucket, counts in self._inflight.items()]
            try:  # on its own, like the audit entries: also flushed for a reader's request
                async with self.db.independent() as session:
                    await UsageRepository.from_session(session).add_request_counts(rows)
            except BaseException:
                self._merge_back(self._inflight)
                self._pending_calls.update(self._inflight_calls)
                self._inflight, self._inflight_calls = {}, Counter()
                raise
            for bucket, counts in self._inflight.items():
                month = bucket.day.replace(day=1)
                base = self._month_calls.get((bucket.team_id, month))
                if base is not None:
                    self._month_calls[(bucket.team_id, month)] = (
                        base[0] + counts.requests,
                        base[1],
                    )
            self._inflight, self._inflight_calls = {}, Counter()

    def _merge_back(self, batch: dict[Bucket, Counts]) -> None:
        for bucket, counts in batch.items():
            target = self._pending.setdefault(bucket, Counts())
            target.requests += counts.requests
            target.errors += counts.errors
            target.latency_ms_total += counts.latency_ms_total

    @staticmethod
    def _row(bucket: Bucket, counts: Counts) -> dict[str, Any]:
        return {
            "day": bucket.day,
            "team_id": bucket.team_id,
            "key_id": bucket.key_id,
            "user_id": bucket.user_id,
            "method": bucket.method,
            "route": bucket.route,
            "requests": counts.requests,
            "errors": counts.errors,
            "latency_ms_total": counts.latency_ms_total,
            "updated_at": utcnow(),
        }

    # ---- the monthly API-call quota --------------------------------------------------------

    async def api_calls_exceeded(self, principal: Principal) -> QuotaExceeded | None:
        limit = quota_limit(
            self.settings, principal.plan, Quota.api_calls, principal.quota_overrides
        )
        if limit is None or self.db is None:
            return None
        period = current_period()
        used = await self._month_base(principal.team_id, period.start, period.end)
        used += self.unflushed_calls(principal.team_id, period.start)
        if used < limit:
            return None
        return QuotaExceeded(
            Quota.api_calls,
            used=used,
            limit=limit,
            resets_at=period.resets_at,
            detail=(
                f"The team has made its {limit} API calls this month; the quota resets at "
                f"{period.resets_at.isoformat()}."
            ),
        )

    async def _month_base(self, team_id: str, start: date, end: date) -> int:
        cached = self._month_calls.get((team_id, start))
        if cached is not None and time.monotonic() - cached[1] < BASE_TTL_S:
            return cached[0]
        assert self.db is not None
        async with self.db.session(write=False) as session:
            total = await UsageRepository.from_session(session).team_api_calls(team_id, start, end)
        self._month_calls[(team_id, start)] = (total, time.monotonic())
        return total
