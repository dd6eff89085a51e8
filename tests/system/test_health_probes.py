"""GET /health/live and /health/ready: the components, and the degraded and failing states.

Degraded answers 200 with ``status: degraded`` (the process still serves; an operator acts);
failing answers 503 (take the process out of rotation)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from folio.core.db import utcnow
from folio.jobs.models import Job, JobStatus
from tests.conftest import SCALEOUT
from tests.factories import Account

EMBEDDED_COMPONENTS = {"database", "storage", "disk", "queue", "workers"}


class TestLive:
    async def test_answers_without_credentials(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.get("/health/live")

        assert response.status_code == 200
        assert response.json()["status"] == "ok"


class TestReady:
    async def test_reports_every_component(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.get("/health/ready")

        assert response.status_code == 200, response.text
        ready = response.json()
        assert ready["status"] == "ok", ready
        assert set(ready["components"]) >= EMBEDDED_COMPONENTS
        assert all(c["status"] == "ok" for c in ready["components"].values())
        assert ready["components"]["disk"]["observed"]["free_mb"] > 0
        assert ready["components"]["queue"]["observed"]["queued"] == 0

    async def test_the_old_health_route_is_unchanged(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        health = (await anonymous_client.get("/health")).json()
        assert {"status", "database", "storage", "workers", "ocr_engines"} <= set(health)


class TestDiskNearlyFull:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"health_min_free_disk_mb": 10**12}  # more than any disk has

    async def test_degraded_but_serving(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.get("/health/ready")

        assert response.status_code == 200
        ready = response.json()
        assert ready["status"] == "degraded"
        assert ready["components"]["disk"]["status"] == "degraded"
        assert ready["components"]["database"]["status"] == "ok"


@pytest.mark.skipif(SCALEOUT, reason="embedded pool: paused so the job stays queued")
class TestOldQueue:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"health_max_queue_age_s": 5}

    async def test_a_job_waiting_too_long_degrades(
        self, app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        app.state.runtime.dispatcher.pause()
        response = await client.post(
            "/api/v1/documents", files={"file": ("a.txt", b"hello queue", "text/plain")}
        )
        assert response.status_code == 202, response.text
        await age_queued_jobs(app, seconds=60)

        ready = (await anonymous_client.get("/health/ready")).json()

        assert ready["status"] == "degraded"
        queue = ready["components"]["queue"]
        assert queue["status"] == "degraded"
        assert queue["observed"]["queued"] == 1
        assert queue["observed"]["oldest_age_s"] >= 59


@pytest.mark.skipif(SCALEOUT, reason="the embedded pool's size")
class TestNoWorkers:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"workers": 0}

    async def test_degraded(self, anonymous_client: httpx.AsyncClient) -> None:
        ready = (await anonymous_client.get("/health/ready")).json()
        assert ready["status"] == "degraded"
        assert ready["components"]["workers"]["status"] == "degraded"


class TestStorageGone:
    async def test_failing_is_503(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient, admin: Account
    ) -> None:
        scratch: Path = app.state.runtime.storage.root / ".tmp"
        scratch.rmdir()
        scratch.write_bytes(b"")  # a file where the storage writes: every write fails (as root)
        try:
            response = await anonymous_client.get("/health/ready")
        finally:
            scratch.unlink()
            scratch.mkdir()

        assert response.status_code == 503
        ready = response.json()
        assert ready["status"] == "failing"
        assert ready["components"]["storage"]["status"] == "error"


@pytest.mark.skipif(not SCALEOUT, reason="FOLIO_TEST_BACKEND=scaleout: Redis and Celery")
class TestScaleOut:
    async def test_reports_redis_and_celery_workers(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        ready = (await anonymous_client.get("/health/ready")).json()

        assert ready["components"]["redis"]["status"] == "ok"
        workers = ready["components"]["workers"]
        assert workers["observed"]["executor"] == "celery"
        assert workers["status"] == "ok", workers
        assert workers["observed"]["workers"] >= 1


async def age_queued_jobs(app: FastAPI, *, seconds: float) -> None:
    """Backdates the queued jobs, as if they had waited ``seconds``."""
    async with app.state.runtime.db.session() as session:
        await session.execute(
            update(Job)
            .where(Job.status == JobStatus.queued)
            .values(created_at=utcnow() - timedelta(seconds=seconds))
        )
