"""DocumentRead models kept per process (documents/summary_cache.py): reused while the row is
unchanged, rebuilt the moment it changes, bounded, and never served to another team."""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from pydantic import TypeAdapter

from folio.core.pagination import Page
from folio.core.prepared import ResultRow
from folio.documents.repository import SUMMARY_COLUMNS
from folio.documents.schemas import DocumentRead
from folio.documents.summary_cache import SummaryCache, summary_cache
from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
SummaryRow = namedtuple("SummaryRow", [column.name for column in SUMMARY_COLUMNS])  # type: ignore[misc]
NOW = datetime(2026, 12, 3, tzinfo=UTC)


async def listed(client: httpx.AsyncClient) -> dict[str, dict]:
    response = await client.get("/api/v1/documents")
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


class TestSummaryCache:
    async def test_a_document_read_twice_unchanged_is_built_once(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])
        cache = summary_cache(app.state.runtime)
        first = await listed(client)
        kept = len(cache)
        second = await listed(client)
        single = (await client.get(f"/api/v1/documents/{document['id']}")).json()

        assert first == second and single == first[document["id"]]
        assert len(cache) == kept  # nothing new was built for the same rows

    async def test_every_change_of_the_row_shows_at_once(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        settled = await wait_settled(client, document["id"])
        before = (await listed(client))[document["id"]]
        assert before["status"] == settled["status"] == "completed"

        reprocess = await client.post(
            f"/api/v1/documents/{document['id']}/reprocess", json={"options": {"ocr": "force"}}
        )
        assert reprocess.status_code == 202, reprocess.text
        during = (await listed(client))[document["id"]]
        after = await wait_settled(client, document["id"])

        assert during["status"] in ("queued", "processing", "completed")
        assert during["updated_at"] > before["updated_at"]
        assert during["options"]["ocr"] == "force" and before["options"]["ocr"] != "force"
        assert after["status"] == "completed"
        assert (await listed(client))[document["id"]] == after

    async def test_another_team_never_gets_a_kept_document(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])
        await listed(client)  # kept now

        assert document["id"] not in await listed(second_client)
        assert_problem(
            await second_client.get(f"/api/v1/documents/{document['id']}"), 404, "NOT_FOUND"
        )

    def test_the_least_recently_read_goes_first_when_full(self) -> None:
        def row(document_id: str) -> ResultRow:
            values = dict.fromkeys(SummaryRow._fields)
            values.update(
                id=document_id, team_id="team_a", filename="a.pdf", mime_type="application/pdf",
                kind="pdf", size_bytes=1, sha256="0" * 64, extension_mismatch=False,
                status="queued", progress=0, stages=[], pages_done=0, options={},
                created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            return SummaryRow(**values)  # type: ignore[no-any-return]

        cache = SummaryCache(max_entries=2)
        a = cache.read_of(row("doc_a"))
        cache.read_of(row("doc_b"))
        assert cache.read_of(row("doc_a")) is a  # now the most recent
        cache.read_of(row("doc_c"))

        assert len(cache) == 2
        assert cache.read_of(row("doc_a")) is a
        assert cache.read_of(row("doc_b")) is not None and len(cache) == 2

    async def test_sent_json_is_the_response_models_own(self, client: httpx.AsyncClient) -> None:
        """The kept JSON bypasses FastAPI's serialisation: it must be exactly what the
        response model makes of itself, field for field, for the page and the single read."""
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])
        for _ in range(2):  # built, then kept
            page = await client.get("/api/v1/documents", params={"limit": 1})
            single = await client.get(f"/api/v1/documents/{document['id']}")
            assert page.headers["content-type"] == single.headers["content-type"]
            assert page.headers["content-type"] == "application/json"
            for body, model in ((page, Page[DocumentRead]), (single, DocumentRead)):
                adapter = TypeAdapter(model)
                own = adapter.dump_json(adapter.validate_json(body.content), by_alias=True)
                assert json.loads(body.content) == json.loads(own)
