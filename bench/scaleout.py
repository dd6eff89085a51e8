"""Scale-out throughput: documents per minute for one fixed corpus batch, processed by the
embedded pool (SQLite, 2 worker processes), by 1 Celery worker and by 2 Celery workers
(PostgreSQL + Redis), in one run; the 2/1 ratio; queue latency (upload -> job started) p95.

    .venv/bin/python bench/scaleout.py [--documents 40] [--quick]

Needs PostgreSQL and Redis as in tests/scaleout (FOLIO_TEST_PG_URL, FOLIO_TEST_REDIS_URL).
The API runs in this process (ASGI); each Celery worker is a real `folio worker` process with
concurrency 1. Writes bench/results/scaleout.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._corpus import small_text_pdfs  # noqa: E402
from tests.scaleout.stack import (  # noqa: E402
    Stack,
    create_database,
    drop_database,
    migrate,
    start_worker,
)

from folio.app import create_app  # noqa: E402
from folio.config import Settings  # noqa: E402

RESULTS = REPO / "bench" / "results" / "scaleout.json"
# a Redis database of its own: the test suite's workers must not take the bench's jobs
REDIS_URL = os.environ.get("FOLIO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
WARM_UP = 2  # documents processed before timing: every pipeline child is started


def base_settings(data_dir: Path, **overrides: Any) -> Settings:
    values = {
        "data_dir": data_dir,
        "log_json": False,
        "log_level": "WARNING",
        "analysis_enabled": False,
        "rate_limit_enabled": False,
        "dispatcher_poll_s": 0.2,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def run_batch(settings: Settings, files: list[Path]) -> dict[str, Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        key = app.state.initial_credentials.api_key
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://folio",
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        ) as client:
            await settle(client, [await upload(client, path) for path in files[:WARM_UP]])
            started = time.perf_counter()
            ids = [await upload(client, path) for path in files]
            await settle(client, ids)
            elapsed = time.perf_counter() - started
        latencies = await queue_latencies(app, ids)
    return {
        "documents": len(ids),
        "seconds": round(elapsed, 2),
        "documents_per_minute": round(len(ids) / elapsed * 60, 1),
        "queue_latency_p50_s": round(statistics.median(latencies), 3),
        "queue_latency_p95_s": round(percentile(latencies, 95), 3),
    }


async def upload(client: httpx.AsyncClient, path: Path) -> str:
    response = await client.post(
        "/api/v1/documents", files={"file": (path.name, path.read_bytes())}
    )
    response.raise_for_status()
    return str(response.json()["id"])


async def settle(client: httpx.AsyncClient, ids: list[str]) -> None:
    for document_id in ids:
        while True:
            response = await client.get(f"/api/v1/documents/{document_id}", params={"wait": 30})
            status = response.json()["status"]
            if status in {"completed", "failed", "cancelled"}:
                break


async def queue_latencies(app: Any, ids: list[str]) -> list[float]:
    """Upload committed (job created) -> a worker started the job, per document."""
    from sqlalchemy import select

    from folio.jobs.models import Job

    async with app.state.runtime.db.session(write=False) as session:
        rows = await session.execute(
            select(Job.created_at, Job.started_at).where(Job.document_id.in_(ids))
        )
        return [(started - created).total_seconds() for created, started in rows if started]


def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def embedded(files: list[Path], workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        return await run_batch(
            base_settings(Path(directory), workers=workers, worker_prestart=True), files
        )


async def celery(files: list[Path], workers: int) -> dict[str, Any]:
    name = f"folio_bench_{uuid.uuid4().hex[:8]}"
    await create_database(name)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        stack = Stack(name, REDIS_URL, root / "blobs")
        stack.storage_dir.mkdir()
        redis.Redis.from_url(REDIS_URL).flushdb()
        processes = []
        try:
            await migrate(stack.database_url)
            processes = [
                start_worker(stack, root, concurrency=1, name=f"worker-{i}") for i in range(workers)
            ]
            settings = base_settings(root / "api", **stack.overrides(dispatcher_poll_s=0.2))
            return await run_batch(settings, files)
        finally:
            for process in processes:
                process.stop()
            await drop_database(name)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="12 documents")
    args = parser.parse_args()
    count = 12 if args.quick else args.documents
    pool = small_text_pdfs(max_pages=2)
    files = [pool[i % len(pool)] for i in range(count)]
    results = {
        "embedded_pool_2_processes": await embedded(files, workers=2),
        "celery_1_worker": await celery(files, workers=1),
        "celery_2_workers": await celery(files, workers=2),
    }
    one, two = results["celery_1_worker"], results["celery_2_workers"]
    report = {
        "benchmark": "bench/scaleout.py",
        "batch": {
            "documents": count,
            "distinct_files": len({f.name for f in files}),
            "kind": "text PDFs of 1-2 pages from the corpus, analysis off",
        },
        "results": results,
        "ratio_2_workers_over_1": round(
            two["documents_per_minute"] / one["documents_per_minute"], 2
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "note": "2 cores shared with other people's work while this ran",
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
