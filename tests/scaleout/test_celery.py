"""Jobs through Celery: end to end, fair share per team, priorities, cancellation, and no
document processed by two workers at once."""

from __future__ import annotations

import asyncio
import time

import httpx
import redis
from fastapi import FastAPI

from folio.workers.celery_app import TASK_NAME, make_celery, queue_for
from tests.conftest import corpus
from tests.factories import Account
from tests.helpers import upload_ok, wait_settled
from tests.scaleout.conftest import PRIVATE_BROKER, StartWorker
from tests.scaleout.stack import Stack

SMALL_PDF = "invoice2data/tests/compare/oyo.pdf"
LONG_PDF = "pdfplumber/tests/pdfs/issue-71-duplicate-chars-2.pdf"  # 20 pages
MID_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"  # 4 pages
SLOW = {"ocr": "force"}  # OCR every page: seconds per document


def job_rows(stack: Stack, document_id: str) -> list[dict[str, object]]:
    rows = stack.query("SELECT * FROM jobs WHERE document_id = $1 ORDER BY id", document_id)
    return [dict(row) for row in rows]


def event_count(stack: Stack, type_: str, document_id: str) -> int:
    rows = stack.query(
        "SELECT count(*) AS n FROM events WHERE type = $1 AND data->>'document_id' = $2",
        type_,
        document_id,
    )
    return int(rows[0]["n"])


async def wait_status(
    client: httpx.AsyncClient, document_id: str, status: str, seconds: float = 180
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = await client.get(f"/api/v1/documents/{document_id}")
        if response.json()["status"] == status:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{document_id} never became {status}")


async def cancel(client: httpx.AsyncClient, document_id: str) -> None:
    response = await client.post(
        "/api/v1/documents/bulk/process",
        json={"document_ids": [document_id], "action": "cancel"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1, response.text


def queue_lengths() -> dict[str, int]:
    broker = redis.Redis.from_url(PRIVATE_BROKER)
    return {name: int(broker.llen(name)) for name in ("folio.high", "folio.normal", "folio.low")}


class TestEndToEnd:
    async def test_worker_processes_an_upload(
        self, client: httpx.AsyncClient, workers: StartWorker, scaleout_stack: Stack
    ) -> None:
        workers()
        document = await upload_ok(client, corpus(SMALL_PDF))
        settled = await wait_settled(client, document["id"], seconds=120)
        assert settled["status"] == "completed"
        results = await client.get(f"/api/v1/documents/{document['id']}/results")
        assert results.status_code == 200
        assert "oyo" in results.text.lower()
        (job,) = job_rows(scaleout_stack, document["id"])
        assert job["status"] == "completed" and job["attempts"] == 1
        assert job["worker"].count(":") == 2  # host:pid:thread of a `folio worker`

    async def test_health_names_the_executor(self, client: httpx.AsyncClient) -> None:
        health = (await client.get("/health")).json()
        assert health["database"]["status"] == "ok"
        assert health["workers"]["executor"] == "celery"


class TestFairShareAndPriorities:
    async def test_a_big_batch_starves_nobody_and_high_priority_goes_first(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        workers: StartWorker,
        scaleout_stack: Stack,
    ) -> None:
        batch = [await upload_ok(client, corpus(SMALL_PDF)) for _ in range(6)]
        single = await upload_ok(second_client, corpus(SMALL_PDF))
        urgent = await upload_ok(client, corpus(SMALL_PDF), options={"priority": "high"})
        await asyncio.sleep(1.0)  # the feeder runs after each commit and every 0.3 s
        # no worker yet: the broker holds the batch team's fair share (2), the other team's
        # single upload, and the urgent one in its own queue
        assert queue_lengths() == {"folio.high": 1, "folio.normal": 3, "folio.low": 0}
        workers(concurrency=1)
        for document in [*batch, single, urgent]:
            assert (
                await wait_settled(
                    client if document is not single else second_client, document["id"], seconds=180
                )
            )["status"] == "completed"
        started = {
            row["document_id"]: row["started_at"]
            for row in scaleout_stack.query("SELECT document_id, started_at FROM jobs")
        }
        assert all(started[urgent["id"]] < started[d["id"]] for d in [*batch, single])
        overtaken = [d for d in batch if started[d["id"]] > started[single["id"]]]
        assert len(overtaken) >= 3, "the single upload waited behind the whole batch"


class TestCancellation:
    async def test_queued_and_running_jobs_are_stopped(
        self, client: httpx.AsyncClient, workers: StartWorker, scaleout_stack: Stack
    ) -> None:
        workers(ocr_dpi=300)  # 20 pages of OCR at 300 dpi: minutes on this machine
        slow = await upload_ok(client, corpus(LONG_PDF), options=SLOW)
        waiting = await upload_ok(client, corpus(SMALL_PDF))  # behind it (one thread)
        await wait_status(client, slow["id"], "processing")
        await cancel(client, waiting["id"])
        await cancel(client, slow["id"])
        # the worker notices at its next lease renewal and stops the pipeline, so the next
        # upload is processed long before the 20-page OCR could have finished
        started = time.monotonic()
        quick = await upload_ok(client, corpus(SMALL_PDF))
        assert (await wait_settled(client, quick["id"], seconds=120))["status"] == "completed"
        assert time.monotonic() - started < 60
        (slow_job,) = job_rows(scaleout_stack, slow["id"])
        assert slow_job["status"] == "cancelled"
        (waiting_job,) = job_rows(scaleout_stack, waiting["id"])
        assert waiting_job["status"] == "cancelled" and waiting_job["attempts"] == 0
        for document in (slow, waiting):
            assert event_count(scaleout_stack, "document.processed", document["id"]) == 0
            current = (await client.get(f"/api/v1/documents/{document['id']}")).json()
            assert current["status"] == "cancelled"


class TestExclusiveProcessing:
    async def test_duplicate_messages_never_run_a_document_twice(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        admin: Account,
        workers: StartWorker,
        scaleout_stack: Stack,
    ) -> None:
        workers()
        workers()
        documents = [await upload_ok(client, corpus(SMALL_PDF)) for _ in range(4)]
        celery = make_celery(app.state.settings)
        for row in scaleout_stack.query("SELECT id, priority FROM jobs"):
            for _ in range(3):  # as if the broker redelivered each message three times
                celery.send_task(TASK_NAME, args=[row["id"]], queue=queue_for(row["priority"]))
        for document in documents:
            assert (await wait_settled(client, document["id"], seconds=120))["status"] == (
                "completed"
            )
        await asyncio.sleep(2)  # let the duplicates reach the workers and be dropped
        for document in documents:
            (job,) = job_rows(scaleout_stack, document["id"])
            assert job["attempts"] == 1
            assert event_count(scaleout_stack, "job.status", document["id"]) == 1
            assert event_count(scaleout_stack, "document.processed", document["id"]) == 1
