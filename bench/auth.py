"""p95 latency of sign-in and of authenticated GETs under concurrency, against a real server.

Seed 004's target: auth < 100 ms p95. Baseline in the same run: a bare FastAPI route on the
same uvicorn, so the figure that matters is the ratio.

    python bench/auth.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import baseline_server, folio_server

RESULTS = Path(__file__).resolve().parent / "results" / "auth.json"


async def measure(
    requests: int, concurrency: int, call: Callable[[], Awaitable[httpx.Response]]
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[None] = asyncio.Queue()
    for _ in range(requests):
        queue.put_nowait(None)

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await call()
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code >= 400

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": requests,
        "concurrency": concurrency,
        "errors": errors,
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
        "rps": round(requests / elapsed, 1),
    }


async def run(quick: bool) -> dict[str, dict[str, float]]:
    gets, logins = (300, 40) if quick else (2000, 200)
    figures: dict[str, dict[str, float]] = {}
    with baseline_server() as url:
        async with httpx.AsyncClient(base_url=url) as client:
            figures["baseline GET (bare FastAPI)"] = await measure(
                gets, 20, lambda: client.get("/items")
            )
    with folio_server() as (url, key, email, password):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            login = {"email": email, "password": password}
            figures["login (argon2id)"] = await measure(
                logins, 4, lambda: client.post("/api/v1/auth/login", json=login)
            )
            access = (await client.post("/api/v1/auth/login", json=login)).json()["tokens"][
                "access_token"
            ]
            by_key = {"Authorization": f"Bearer {key}"}
            by_token = {"Authorization": f"Bearer {access}"}
            figures["GET /documents with API key"] = await measure(
                gets, 20, lambda: client.get("/api/v1/documents", headers=by_key)
            )
            figures["GET /documents with JWT"] = await measure(
                gets, 20, lambda: client.get("/api/v1/documents", headers=by_token)
            )
    return figures


def report(figures: dict[str, dict[str, float]]) -> None:
    baseline = figures["baseline GET (bare FastAPI)"]["p95_ms"]
    print(
        f"{'measure':34} {'n':>5} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'req/s':>7} {'err':>4} {'p95/base':>8}"
    )
    for name, row in figures.items():
        print(
            f"{name:34} {row['requests']:>5} {row['concurrency']:>4} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['p99_ms']:>8} {row['rps']:>7} {row['errors']:>4} "
            f"{row['p95_ms'] / baseline:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    figures = asyncio.run(run(parser.parse_args().quick))
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
