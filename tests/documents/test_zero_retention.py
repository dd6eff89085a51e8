"""Zero-retention processing (``POST /api/v1/documents/process``): the results come back in
the response and nothing of the file or its results stays, on disk or in the database."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, inspect, select, table

from folio.documents.zero_retention import TEMP_PREFIX
from tests.conftest import corpus
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled

PROCESS = "/api/v1/documents/process"
TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
# what a zero-retention request may leave: its usage count and its audit entry
# counts and latencies by route template, and the audit trail without file names: no content
TRACE_TABLES = {"usage_counters", "request_usage", "audit_entries", "analytics_histograms"}


async def process(
    client: httpx.AsyncClient,
    path: Path | None = None,
    *,
    content: bytes | None = None,
    filename: str | None = None,
    options: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    body = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
    name = filename if filename is not None else path.name  # type: ignore[union-attr]
    data = {"options": json.dumps(options)} if options is not None else {}
    return await client.post(
        PROCESS, files={"file": (name, body, "application/octet-stream")}, data=data, params=params
    )


async def row_counts(app: FastAPI) -> dict[str, int]:
    """Rows in every table of the database but the usage and audit ones."""
    async with app.state.runtime.db.session(write=False) as session:
        connection = await session.connection()
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            name: int(await session.scalar(select(func.count()).select_from(table(name))) or 0)
            for name in sorted(set(names) - TRACE_TABLES)
        }


def files_under(directory: Path) -> set[Path]:
    return {path for path in directory.rglob("*") if path.is_file()}


def temporary_files() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(TEMP_PREFIX)}


async def no_new_temporary_files(before: set[str], patience_s: float = 30.0) -> None:
    """Another xdist worker's zero-retention request may be spooling at this moment: its file
    goes when that request ends, while a file this test left behind stays."""
    deadline = time.monotonic() + patience_s
    for _ in range(int(patience_s / 0.2)):
        if temporary_files() <= before or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert temporary_files() <= before


class Footprint:
    """The database rows, the data directory's files and our temporary files, before."""

    def __init__(self, app: FastAPI, rows: dict[str, int]) -> None:
        self.app = app
        self.rows = rows
        self.data_dir = Path(app.state.settings.data_dir)
        self.files = files_under(self.data_dir)
        self.temporary = temporary_files()

    @classmethod
    async def take(cls, app: FastAPI) -> Footprint:
        await app.state.activity.flush()
        return cls(app, await row_counts(app))

    async def assert_unchanged(self) -> None:
        await self.app.state.activity.flush()
        assert await row_counts(self.app) == self.rows
        blobs = self.app.state.settings.blob_dir
        metrics = self.app.state.settings.metrics_path
        new_files = files_under(self.data_dir) - self.files
        # SQLite's journal files may appear, and the Prometheus counter files the first request
        # of a process creates (numbers under route/status/kind labels, no content); nothing else
        assert {
            p for p in new_files if not p.name.startswith("folio.db") and metrics not in p.parents
        } == set()
        assert not blobs.exists() or files_under(blobs) <= self.files
        await no_new_temporary_files(self.temporary)


async def documents_processed(client: httpx.AsyncClient) -> int:
    body = (await client.get("/api/v1/usage/current")).json()
    return int(body["documents_processed"]["used"])


async def audit_actions(client: httpx.AsyncClient, app: FastAPI) -> list[dict[str, Any]]:
    await app.state.activity.flush()
    response = await client.get("/api/v1/audit/logs", params={"action": "documents.process"})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"analytics_realtime_interval_s": 0, "process_max_pages": 10}


class TestProcess:
    async def test_results_come_back_and_nothing_is_kept(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        before = await Footprint.take(app)

        response = await process(client, corpus(FOUR_PAGES_PDF), filename="private.pdf")

        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["document_id"] is None
        assert body["kind"] == "pdf" and body["mime_type"] == "application/pdf"
        assert len(body["pages"]) == 4
        assert body["pages"][0]["text"].startswith("Hello, here is some text without a meaning")
        assert body["pages"][0]["words"]
        await before.assert_unchanged()
        assert await documents_processed(client) == 1
        [entry] = await audit_actions(client, app)
        assert entry["outcome"] == "success" and entry["status_code"] == 200
        assert entry["resource_id"] is None
        assert "private" not in json.dumps(entry)  # no file name in the trail
        listing = (await client.get("/api/v1/documents")).json()
        assert listing["items"] == []

    async def test_same_shape_as_the_results_of_an_upload(self, client: httpx.AsyncClient) -> None:
        response = await process(client, corpus(TRIVIAL_PDF), params={"words": "false"})
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])
        stored = await client.get(f"/api/v1/documents/{document['id']}/results?words=false")

        assert response.status_code == 200, response.text
        ephemeral = response.json()
        assert set(ephemeral) == set(stored.json())
        assert [p["text"] for p in ephemeral["pages"]] == [
            p["text"] for p in stored.json()["pages"]
        ]
        assert all(page["words"] is None for page in ephemeral["pages"])

    async def test_another_teams_usage_is_not_affected(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        app: FastAPI,
        second_account: Account,
    ) -> None:
        assert (await process(client, corpus(TRIVIAL_PDF))).status_code == 200

        assert await documents_processed(client) == 1
        assert await documents_processed(second_client) == 0
        assert await audit_actions(second_client, app) == []


class TestRefusals:
    async def test_an_unsupported_file_is_refused_and_nothing_is_kept(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        before = await Footprint.take(app)

        response = await process(client, content=bytes(range(256)) * 8, filename="blob.bin")

        assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
        await before.assert_unchanged()
        assert await documents_processed(client) == 0

    async def test_an_empty_file(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        before = await Footprint.take(app)
        body = assert_problem(
            await process(client, content=b"", filename="e.txt"), 422, "UNPROCESSABLE_DOCUMENT"
        )
        assert body["reason"] == "EMPTY_FILE"
        await before.assert_unchanged()

    async def test_a_template_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await process(client, corpus(TRIVIAL_PDF), options={"template": "invoice"})
        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "options.template"

    async def test_bad_options(self, client: httpx.AsyncClient) -> None:
        response = await process(client, corpus(TRIVIAL_PDF), options={"ocr": "sometimes"})
        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_a_viewer_may_not(self, viewer_client: httpx.AsyncClient) -> None:
        assert_problem(await process(viewer_client, corpus(TRIVIAL_PDF)), 403, "FORBIDDEN")

    async def test_anonymous_may_not(self, anonymous_client: httpx.AsyncClient) -> None:
        assert_problem(await process(anonymous_client, corpus(TRIVIAL_PDF)), 401, "UNAUTHORIZED")


class TestPageLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"analytics_realtime_interval_s": 0, "process_max_pages": 3}

    async def test_too_many_pages(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        before = await Footprint.take(app)

        response = await process(client, corpus(FOUR_PAGES_PDF))

        body = assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")
        assert body["reason"] == "TOO_MANY_PAGES"
        await before.assert_unchanged()
        assert await documents_processed(client) == 0  # a refused document is not counted
        # an upload keeps the server's own, larger limit
        document = await upload_ok(client, corpus(FOUR_PAGES_PDF))
        assert (await wait_settled(client, document["id"]))["status"] == "completed"


class TestSizeLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"analytics_realtime_interval_s": 0, "process_max_bytes": 1000}

    async def test_too_big(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        before = await Footprint.take(app)
        big = corpus(FOUR_PAGES_PDF)
        assert big.stat().st_size > 1000

        assert_problem(await process(client, big), 413, "PAYLOAD_TOO_LARGE")

        await before.assert_unchanged()
        # an upload keeps the server's own, larger limit
        assert (await upload_ok(client, big))["size_bytes"] == big.stat().st_size


@pytest.mark.ocr
class TestTimeLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"analytics_realtime_interval_s": 0, "process_time_limit_s": 1.0}

    async def test_times_out_and_frees_the_process(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        before = await Footprint.take(app)

        # OCR of four pages at 300 dpi takes seconds
        response = await process(client, corpus(FOUR_PAGES_PDF), options={"ocr": "force"})

        body = assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")
        assert body["reason"] == "PROCESSING_TIMEOUT"
        await before.assert_unchanged()
        assert await documents_processed(client) == 0
        # the killed process is replaced: with room to work, the next request succeeds
        app.state.runtime.processor.timeout_s = 60
        assert (await process(client, corpus(TRIVIAL_PDF))).status_code == 200


class TestQuota:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        quota = {"api_calls": None, "documents_processed": 1, "storage_bytes": None}
        return {"analytics_realtime_interval_s": 0, "quota_plans": {"free": quota}}

    async def test_counts_against_the_monthly_documents(self, client: httpx.AsyncClient) -> None:
        assert (await process(client, corpus(TRIVIAL_PDF))).status_code == 200

        assert_problem(await process(client, corpus(TRIVIAL_PDF)), 429, "QUOTA_EXCEEDED")


class TestRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        # windows are fixed: the hour's limit still applies when the two calls straddle a minute
        plans = {"free": {"minute": 1, "hour": 1, "day": 100}}
        return {"analytics_realtime_interval_s": 0, "rate_limit_plans": plans}

    async def test_the_plans_rate_limit_applies(self, client: httpx.AsyncClient) -> None:
        assert (await process(client, corpus(TRIVIAL_PDF))).status_code == 200

        response = await process(client, corpus(TRIVIAL_PDF))

        assert_problem(response, 429, "RATE_LIMITED")
        assert response.headers["retry-after"]
