"""Scale-out tests run only on the PostgreSQL + Redis + Celery backend (second CI run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.scaleout.stack import SCALEOUT, FolioProcess, Stack, start_worker

PRIVATE_BROKER = "redis://127.0.0.1:6379/13"  # no session-wide worker listens here
StartWorker = Callable[..., FolioProcess]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="needs FOLIO_TEST_BACKEND=scaleout (PostgreSQL, Redis)")
    for item in items:
        if not SCALEOUT and "tests/scaleout/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """The app of these tests hands jobs to a broker that only this test's workers read."""
    redis.Redis.from_url(PRIVATE_BROKER).flushdb()
    return {"redis_url": PRIVATE_BROKER, "job_fair_share": 2}


@pytest.fixture
def workers(scaleout_stack: Stack, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts `folio worker` processes on this test's broker; all are stopped at the end."""
    started: list[FolioProcess] = []

    def start(*, concurrency: int = 1, **settings: object) -> FolioProcess:
        settings.setdefault("redis_url", PRIVATE_BROKER)
        settings.setdefault("job_lease_s", 8)  # renewed every 2.7 s, even on a busy CI
        settings.setdefault("ocr_dpi", 72)
        worker = start_worker(
            scaleout_stack,
            tmp_path / "workers",
            concurrency=concurrency,
            name=f"worker-{len(started)}",
            **settings,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
