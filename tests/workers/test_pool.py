"""The embedded worker pool under failure: crashes, hangs, restarts, bombs."""

from __future__ import annotations

import asyncio
import os
import signal
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import httpx
import pikepdf
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update

from folio.app import create_app
from folio.jobs.models import Job, JobStatus
from folio.pipeline import Limits
from folio.workers.pool import WorkerSlot
from tests.conftest import corpus, make_settings
from tests.factories import Account, client_for
from tests.helpers import upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
SCAN = "tesseract_test/testing/phototest.tif"


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def blank_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    buffer = BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


async def wait_for_status(client: httpx.AsyncClient, document_id: str, status: str) -> None:
    for _ in range(600):
        document = (await client.get(f"/api/v1/documents/{document_id}")).json()
        if document["status"] == status:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{document_id} never reached {status}")


async def busy_worker_pid(app: FastAPI) -> int:
    """The pid of the worker that holds a job (its ticket is sent once job_id is set)."""
    for _ in range(600):
        for slot in app.state.runtime.dispatcher.slots:
            if slot.job_id is not None and slot.process is not None:
                return slot.process.pid
        await asyncio.sleep(0.02)
    raise AssertionError("no busy worker")


class TestLimits:
    async def test_decompression_bomb_fails_only_that_document(
        self, client: httpx.AsyncClient
    ) -> None:
        bomb = await upload_ok(client, content=png_declaring(40_000, 40_000), filename="bomb.png")
        good = await upload_ok(client, corpus(TRIVIAL_PDF))

        assert (await wait_settled(client, bomb["id"]))["error"]["code"] == "IMAGE_TOO_LARGE"
        assert (await wait_settled(client, good["id"]))["status"] == "completed"

    async def test_page_limit(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=blank_pdf(10_000), filename="huge.pdf")

        settled = await wait_settled(client, document["id"])

        assert settled["status"] == "failed"
        assert settled["error"]["code"] == "TOO_MANY_PAGES"


@pytest.mark.ocr
class TestWorkerFailures:
    @pytest.mark.parametrize("settings_overrides", [{"job_max_attempts": 1}])
    async def test_crashing_worker_fails_that_document_only(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        victim = await upload_ok(client, corpus(SCAN), options={"ocr": "force"})
        await wait_for_status(client, victim["id"], "processing")
        os.kill(await busy_worker_pid(app), signal.SIGKILL)
        survivor = await upload_ok(client, corpus(TRIVIAL_PDF))

        crashed = await wait_settled(client, victim["id"])
        assert crashed["status"] == "failed"
        assert crashed["error"]["code"] == "WORKER_CRASHED"
        assert (await wait_settled(client, survivor["id"]))["status"] == "completed"

    @pytest.mark.parametrize("settings_overrides", [{"job_max_attempts": 2}])
    async def test_crashed_job_is_retried(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        document = await upload_ok(client, corpus(SCAN), options={"ocr": "force"})
        await wait_for_status(client, document["id"], "processing")
        os.kill(await busy_worker_pid(app), signal.SIGKILL)

        settled = await wait_settled(client, document["id"])

        assert settled["status"] == "completed"
        results = (await client.get(f"/api/v1/documents/{document['id']}/results")).json()
        assert results["version"] == 1
        assert len(results["pages"]) == 1

    @pytest.mark.parametrize("settings_overrides", [{"job_time_limit_s": 0.3}])
    async def test_time_limit(self, client: httpx.AsyncClient) -> None:
        # RapidOCR: Tesseract alone can read this clean page in under 0.3 s on an idle machine
        slow = await upload_ok(
            client, corpus(SCAN), options={"ocr": "force", "ocr_engine": "rapidocr"}
        )
        settled = await wait_settled(client, slow["id"])
        fast = await upload_ok(client, content=b"short text", filename="t.txt")

        assert settled["status"] == "failed"
        assert settled["error"] == {
            "code": "PROCESSING_TIMEOUT",
            "retryable": True,
            "message": "Processing took longer than 0.3 s.",
        }
        assert (await wait_settled(client, fast["id"]))["status"] == "completed"


class TestWorkerSlot:
    def test_a_second_start_waits_for_the_first(self) -> None:
        slot = WorkerSlot(index=0, limits=Limits().model_dump())
        # the child dies with the thread that started it (die_with_parent): keep the threads
        with ThreadPoolExecutor(max_workers=2) as threads:
            try:
                first = threads.submit(slot.ensure_started)
                time.sleep(0.05)  # the first now waits for the child's imports
                threads.submit(slot.ensure_started).result()
                assert first.done(), "the second start returned while the first still read"
                assert slot.alive
                assert slot.receive(0.1) is None  # nothing garbled left on the pipe
            finally:
                slot.stop()


class TestPause:
    async def test_a_pause_during_a_claim_leaves_the_job_queued(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        pool = app.state.runtime.dispatcher
        engine = app.state.runtime.db.engine.sync_engine

        def pause_when_claiming(_conn, _cursor, statement: str, *_args: object) -> None:
            if statement.lstrip().upper().startswith("UPDATE JOBS SET STATUS"):
                pool.pause()  # the operator's stop lands while the claim is on the database

        event.listen(engine, "before_cursor_execute", pause_when_claiming)
        try:
            document = await upload_ok(client, corpus(TRIVIAL_PDF))
            for _ in range(100):
                if pool.paused:
                    break
                await asyncio.sleep(0.02)
            assert pool.paused, "the dispatcher never tried to claim the job"
        finally:
            event.remove(engine, "before_cursor_execute", pause_when_claiming)
        await asyncio.sleep(0.5)
        held = (await client.get(f"/api/v1/documents/{document['id']}")).json()
        assert held["status"] == "queued"

        pool.resume()
        assert (await wait_settled(client, document["id"]))["status"] == "completed"


class TestRestart:
    async def test_job_running_when_the_server_died_is_retried(self, data_dir: Path) -> None:
        first = create_app(make_settings(data_dir, workers=0))
        async with first.router.lifespan_context(first):
            admin = Account("", "", "", first.state.initial_credentials.api_key)
            async with client_for(first, admin) as client:
                document = await upload_ok(client, corpus(TRIVIAL_PDF))
            async with first.state.runtime.db.session() as session:  # as if a worker had it
                await session.execute(update(Job).values(status=JobStatus.running, attempts=1))

        second = create_app(make_settings(data_dir, workers=1, job_max_attempts=2))
        async with second.router.lifespan_context(second), client_for(second, admin) as client:
            settled = await wait_settled(client, document["id"])

        assert settled["status"] == "completed"

    async def test_second_server_on_the_same_data_dir_is_refused(
        self, app: FastAPI, data_dir: Path
    ) -> None:
        other = create_app(make_settings(data_dir))

        with pytest.raises(Exception, match="Another Folio server"):
            async with other.router.lifespan_context(other):
                pass
