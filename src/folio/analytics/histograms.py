"""Fixed-bucket latency histograms: the bucket bounds, percentiles from bucket counts, and the
in-memory buffer that request timings go into before a batched upsert."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from folio.analytics.repository import HistogramRepository
from folio.core.db import Database

# upper bounds in milliseconds; the last bucket holds everything slower than the last bound
BOUNDS_MS: tuple[float, ...] = (
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000, 300_000,
)  # fmt: skip
OVERFLOW = len(BOUNDS_MS)
HTTP = "http_ms"
PAGE = "page_ms"


def bucket_of(value_ms: float) -> int:
    """The index of the first bucket whose upper bound holds ``value_ms``."""
    return bisect.bisect_left(BOUNDS_MS, value_ms)


def percentile(counts: Mapping[int, int], q: float) -> float | None:
    """The ``q`` quantile (0..1) estimated from bucket counts, interpolated linearly inside
    its bucket (as Prometheus' ``histogram_quantile``); None for an empty histogram. A
    quantile in the overflow bucket answers the last bound (a lower bound of the truth)."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index in sorted(counts):
        count = counts[index]
        if count == 0:
            continue
        if seen + count >= rank:
            if index >= OVERFLOW:
                return float(BOUNDS_MS[-1])
            lower = 0.0 if index == 0 else float(BOUNDS_MS[index - 1])
            upper = float(BOUNDS_MS[index])
            return lower + (upper - lower) * max(rank - seen, 0.0) / count
        seen += count
    return float(BOUNDS_MS[-1])


@dataclass(frozen=True)
class Cell:
    day: date
    team_id: str
    metric: str
    series: str
    bucket: int


class HistogramBuffer:
    """Counts in memory per (day, team, metric, series, bucket); :meth:`flush` adds them to
    their rows in one statement. A request costs a dict update, never a write."""

    def __init__(self) -> None:
        self._pending: dict[Cell, list[float]] = {}  # cell -> [count, sum_ms]
        self._lock = asyncio.Lock()

    def record(self, team_id: str, metric: str, series: str, value_ms: float) -> None:
        cell = Cell(datetime.now(UTC).date(), team_id, metric, series[:320], bucket_of(value_ms))
        slot = self._pending.get(cell)
        if slot is None:
            self._pending[cell] = [1, value_ms]
        else:
            slot[0] += 1
            slot[1] += value_ms

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self, db: Database) -> None:
        async with self._lock:
            if not self._pending:
                return
            batch, self._pending = self._pending, {}
            try:
                async with db.independent() as session:
                    await HistogramRepository.from_session(session).add_cells(rows(batch))
            except BaseException:
                for cell, (count, total) in batch.items():
                    slot = self._pending.setdefault(cell, [0, 0.0])
                    slot[0] += count
                    slot[1] += total
                raise


def rows(batch: Mapping[Cell, Sequence[float]]) -> list[dict[str, Any]]:
    return [
        {
            "day": cell.day,
            "team_id": cell.team_id,
            "metric": cell.metric,
            "series": cell.series,
            "bucket": cell.bucket,
            "count": int(count),
            "sum_ms": float(total),
        }
        for cell, (count, total) in batch.items()
    ]
