"""Analytics query time over a million request-log rows, next to a plain ``count(*)``.

    python bench/analytics.py [--quick] [--rows N]

Builds a real SQLite database with the Alembic migrations, inserts N ``request_usage`` rows
(1,000,000; 100,000 with --quick) spread over 20 teams, 365 days, 10 keys/users and 14 routes,
plus one fixed-bucket latency histogram cell per (team, day, route, bucket) in use
(``analytics_histograms``), then times the analytics service as the endpoints call it:

- anchor: ``SELECT count(*) FROM request_usage`` (the whole table) on the same connection pool;
- usage of one team for 30 and 365 days, by day, by route and by key;
- performance (percentiles per route) of one team for 30 and 365 days;
- the dashboard of one team (usage, performance and quality together), 30 days;
- usage and performance of every team (the system-admin view), 30 days.

Each figure is the median of 5 runs after one warm-up, in milliseconds, printed with its ratio
to the anchor. Writes ``bench/results/analytics.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from folio.analytics.histograms import HTTP, bucket_of
from folio.analytics.schemas import Granularity, Period, UsageGroup
from folio.analytics.service import Scope
from folio.analytics.service import analytics as analytics_service
from folio.core.db import Database
from folio.migrations import upgrade_database

RESULTS = Path(__file__).resolve().parent / "results" / "analytics.json"
TEAMS = 20
DAYS = 365
KEYS = 10
ROUTES = [
    ("GET", "/api/v1/documents"),
    ("GET", "/api/v1/documents/{document_id}"),
    ("GET", "/api/v1/documents/{document_id}/results"),
    ("POST", "/api/v1/documents"),
    ("DELETE", "/api/v1/documents/{document_id}"),
    ("GET", "/api/v1/batches"),
    ("POST", "/api/v1/batches"),
    ("GET", "/api/v1/batches/{batch_id}"),
    ("GET", "/api/v1/usage/current"),
    ("GET", "/api/v1/analytics/usage"),
    ("GET", "/api/v1/keys"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/documents/{document_id}/searchable-pdf"),
]
RUNS = 5


def fill(path: Path, rows: int, today: date) -> tuple[int, int]:
    """Inserts ``rows`` request-log rows and the matching histogram cells with sqlite3."""
    rng = random.Random(21)
    connection = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat()
    teams = [f"team_bench{t:02d}" for t in range(TEAMS)]
    connection.executemany(
        "INSERT INTO teams (id, name, is_personal, plan, settings, created_at, updated_at)"
        " VALUES (?, ?, 0, 'free', '{}', ?, ?)",
        [(t, t, now, now) for t in teams],
    )
    per_day_team = max(1, -(-rows // (TEAMS * DAYS)))  # rounded up; stops at rows
    combos = [(k, m, r) for k in range(KEYS) for m, r in ROUTES]
    usage, cells, made = [], {}, 0
    for day_index in range(DAYS):
        day = (today - timedelta(days=day_index)).isoformat()
        for team in teams:
            for key, method, route in rng.sample(combos, min(per_day_team, len(combos))):
                if made >= rows:
                    break
                requests = rng.randint(1, 500)
                latency = rng.lognormvariate(3.5, 1.0)
                user = f"usr_{team}_{key}"
                errors = requests // 50
                usage.append(
                    (day, team, f"key_{team}_{key}", user, method, route, requests, errors,
                     latency * requests, now)
                )  # fmt: skip
                made += 1
                bucket = bucket_of(latency)
                cell = (day, team, HTTP, f"{method} {route}", bucket)
                count, total = cells.get(cell, (0, 0.0))
                cells[cell] = (count + requests, total + latency * requests)
    connection.executemany(
        "INSERT INTO request_usage (day, team_id, key_id, user_id, method, route, requests,"
        " errors, latency_ms_total, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        usage,
    )
    connection.executemany(
        "INSERT INTO analytics_histograms (day, team_id, metric, series, bucket, count, sum_ms)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*cell, count, total) for cell, (count, total) in cells.items()],
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return len(usage), len(cells)


async def timed(run: Callable[[], Awaitable[object]]) -> float:
    await run()  # warm-up: the pages are in the cache for every figure alike
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def measure(db: Database, today: date) -> dict[str, float]:
    team = Scope("team_bench07")
    everyone = Scope(None)
    month = Period(today - timedelta(days=29), today)
    year = Period(today - timedelta(days=DAYS - 1), today)

    def with_session(call: Callable[..., Awaitable[object]], *args: object, **kw: object):
        async def run() -> object:
            async with db.session(write=False) as session:
                return await call(session, *args, **kw)

        return run

    async def count_all(session: object) -> object:
        return (await session.execute(text("SELECT count(*) FROM request_usage"))).scalar()  # type: ignore[attr-defined]

    usage = analytics_service.usage
    cases: dict[str, Callable[[], Awaitable[object]]] = {
        "anchor: SELECT count(*) FROM request_usage": with_session(count_all),
        "usage, one team, 30 days by day": with_session(usage, team, month),
        "usage, one team, 365 days by month": with_session(
            usage, team, year, granularity=Granularity.month
        ),
        "usage, one team, 365 days by route": with_session(
            usage, team, year, group_by=UsageGroup.route
        ),
        "usage, one team, 30 days by key": with_session(
            usage, team, month, group_by=UsageGroup.key
        ),
        "performance, one team, 30 days": with_session(analytics_service.performance, team, month),
        "performance, one team, 365 days": with_session(analytics_service.performance, team, year),
        "dashboard, one team, 30 days": with_session(analytics_service.dashboard, team, month),
        "usage, every team (admin), 30 days": with_session(usage, everyone, month),
        "performance, every team (admin), 30 days": with_session(
            analytics_service.performance, everyone, month
        ),
    }
    return {name: await timed(run) for name, run in cases.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="folio-bench-analytics-") as folder:
        path = Path(folder) / "folio.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await upgrade_database(db.engine)
        started = time.perf_counter()
        usage_rows, cells = fill(path, rows, today)
        filled_s = time.perf_counter() - started
        figures = await measure(db, today)
        await db.dispose()
    anchor = next(iter(figures.values()))
    print(f"request_usage rows: {usage_rows:,}; histogram cells: {cells:,} "
          f"(inserted in {filled_s:.1f} s); SQLite; median of {RUNS} runs")  # fmt: skip
    print(f"{'query':<48} {'ms':>9} {'x anchor':>9}")
    for name, ms in figures.items():
        print(f"{name:<48} {ms:>9.1f} {ms / anchor:>9.2f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "rows": usage_rows,
                "histogram_cells": cells,
                "backend": "sqlite",
                "runs": RUNS,
                "median_ms": {k: round(v, 2) for k, v in figures.items()},
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    asyncio.run(main())
