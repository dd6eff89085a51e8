from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"


class TestListDocuments:
    async def test_cursor_pagination_newest_first(self, client: httpx.AsyncClient) -> None:
        ids = [
            (await upload_ok(client, content=f"note {i}".encode(), filename=f"n{i}.txt"))["id"]
            for i in range(5)
        ]

        first = (await client.get("/api/v1/documents", params={"limit": 2})).json()
        second = (
            await client.get(
                "/api/v1/documents", params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        last = (
            await client.get(
                "/api/v1/documents", params={"limit": 2, "cursor": second["next_cursor"]}
            )
        ).json()

        seen = [d["id"] for page in (first, second, last) for d in page["items"]]
        assert seen == list(reversed(ids))
        assert first["has_more"] and second["has_more"] and not last["has_more"]
        assert last["next_cursor"] is None

    async def test_limit_above_100_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents", params={"limit": 101})

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_bad_cursor_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents", params={"cursor": "%%%"})

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_filters(self, client: httpx.AsyncClient) -> None:
        pdf = await upload_ok(client, corpus(TRIVIAL_PDF))
        text = await upload_ok(client, content=b"plain words here", filename="a.txt")
        await wait_settled(client, pdf["id"])
        await wait_settled(client, text["id"])
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

        by_type = (await client.get("/api/v1/documents", params={"type": "pdf"})).json()
        by_status = (await client.get("/api/v1/documents", params={"status": "completed"})).json()
        in_future = (await client.get("/api/v1/documents", params={"created_after": later})).json()
        before_future = (
            await client.get("/api/v1/documents", params={"created_before": later})
        ).json()

        assert [d["id"] for d in by_type["items"]] == [pdf["id"]]
        assert {d["id"] for d in by_status["items"]} == {pdf["id"], text["id"]}
        assert in_future["items"] == []
        assert len(before_future["items"]) == 2

    @pytest.mark.parametrize("settings_overrides", [{"analysis_enabled": True}])
    async def test_oldest_first_pages_with_the_cursor_and_pii_filters(
        self, client: httpx.AsyncClient
    ) -> None:
        plain = await upload_ok(client, content=b"nothing personal", filename="a.txt")
        personal = await upload_ok(
            client, content=b"Write to jane.doe@example.com today", filename="b.txt"
        )
        third = await upload_ok(client, content=b"more words", filename="c.txt")
        for document in (plain, personal, third):
            await wait_settled(client, document["id"])

        first = await client.get("/api/v1/documents", params={"sort": "oldest", "limit": 2})
        rest = await client.get(
            "/api/v1/documents",
            params={"sort": "oldest", "limit": 2, "cursor": first.json()["next_cursor"]},
        )
        with_pii = (await client.get("/api/v1/documents", params={"pii": "true"})).json()
        without = (await client.get("/api/v1/documents", params={"pii": "false"})).json()
        bad = await client.get("/api/v1/documents", params={"sort": "filename"})

        seen = [d["id"] for page in (first.json(), rest.json()) for d in page["items"]]
        assert seen == [plain["id"], personal["id"], third["id"]]
        assert not rest.json()["has_more"]
        assert [d["id"] for d in with_pii["items"]] == [personal["id"]]
        assert [d["id"] for d in without["items"]] == [third["id"], plain["id"]]
        assert_problem(bad, 422, "VALIDATION_ERROR")

    async def test_full_text_search(self, client: httpx.AsyncClient) -> None:
        lorem = await upload_ok(client, corpus(TRIVIAL_PDF))
        other = await upload_ok(
            client, content=b"Quarterly revenue grew strongly.", filename="report.txt"
        )
        await wait_settled(client, lorem["id"])
        await wait_settled(client, other["id"])

        async def search(q: str) -> list[str]:
            response = await client.get("/api/v1/documents", params={"q": q})
            assert response.status_code == 200, response.text
            return [d["id"] for d in response.json()["items"]]

        assert await search("consetetur sadipscing") == [lorem["id"]]
        assert await search("revenue") == [other["id"]]
        assert await search("reven*") == [other["id"]]
        assert await search("nonexistentword") == []
        assert await search('"unbalanced OR (') == []


class TestGetDocument:
    async def test_unknown_document(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents/doc_01jd0000000000000000000000")

        assert_problem(response, 404, "NOT_FOUND")

    async def test_malformed_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents/../../etc")

        assert response.status_code in (404, 422)

    async def test_request_id_is_echoed(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents", headers={"X-Request-ID": "abc-123"})

        assert response.headers["x-request-id"] == "abc-123"

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_results_before_processing_conflict(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))

        response = await client.get(f"/api/v1/documents/{document['id']}/results")

        assert_problem(response, 409, "CONFLICT")

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_long_poll_returns_after_the_wait(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))

        response = await client.get(f"/api/v1/documents/{document['id']}", params={"wait": 0.3})

        assert response.status_code == 200
        assert response.json()["status"] == "queued"


class TestDeleteDocument:
    async def test_removes_file_and_rows(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])
        runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]

        response = await client.delete(f"/api/v1/documents/{document['id']}")

        assert response.status_code == 204
        assert (await client.get(f"/api/v1/documents/{document['id']}")).status_code == 404
        assert (await client.get("/api/v1/documents", params={"q": "lorem"})).json()["items"] == []
        assert [p for p in runtime.storage.root.rglob("*") if p.is_file()] == []

    async def test_unknown_document(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/api/v1/documents/doc_01jd0000000000000000000000")

        assert_problem(response, 404, "NOT_FOUND")
