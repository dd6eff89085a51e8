"""GET /documents/{id}/markdown and /chunks: real uploads of corpus PDFs, processed by the
embedded worker."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

MULTICOLUMN = "pypdf_sample_files/026-latex-multicolumn/multicolumn.pdf"
FOUR_PAGES = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
UNKNOWN = "doc_01jd0000000000000000000000"
ROUTES = ("markdown", "chunks")
BAD_SIZES: list[dict[str, object]] = [
    {"max_tokens": 5},
    {"max_tokens": 100_000},
    {"max_tokens": "many"},
    {"max_tokens": 100, "overlap": 50},
    {"overlap": -1},
]


async def processed(client: httpx.AsyncClient, name: str) -> str:
    document = await upload_ok(client, corpus(name))
    settled = await wait_settled(client, document["id"])
    assert settled["status"] == "completed", settled["error"]
    return str(document["id"])


class TestMarkdownAndChunks:
    async def test_markdown_and_chunks_of_a_two_column_pdf(self, client: httpx.AsyncClient) -> None:
        document_id = await processed(client, MULTICOLUMN)

        response = await client.get(f"/api/v1/documents/{document_id}/markdown")

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/markdown; charset=utf-8"
        markdown = response.text
        assert markdown.startswith("# Two-Column Document with Lorem Ipsum\n")
        assert "| Country | Population (millions) |" in markdown
        assert "| Denmark | 5.8 | 42,951 | Copenhagen | Danish |" in markdown

        response = await client.get(
            f"/api/v1/documents/{document_id}/chunks", params={"max_tokens": 80, "overlap": 10}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["max_tokens"] == 80 and body["overlap"] == 10
        assert "regex" in body["tokenizer"]
        chunks = body["chunks"]
        assert [chunk["index"] for chunk in chunks] == list(range(len(chunks)))
        assert all(0 < chunk["tokens"] <= 80 for chunk in chunks)
        assert {page for chunk in chunks for page in chunk["pages"]} == {1, 2, 3}
        assert chunks[0]["headings"] == ["Two-Column Document with Lorem Ipsum"]
        for chunk in chunks:
            assert chunk["pages"] == sorted({box["page"] for box in chunk["boxes"]})

    async def test_json_furniture_and_another_team(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document_id = await processed(client, FOUR_PAGES)

        response = await client.get(
            f"/api/v1/documents/{document_id}/markdown", params={"format": "json"}
        )
        results = (await client.get(f"/api/v1/documents/{document_id}/results")).json()

        assert response.status_code == 200
        body = response.json()
        assert body["document_id"] == document_id and body["version"] == 1
        numbers = [(item["page"], item["text"]) for item in body["furniture"]]
        assert numbers == [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
        for item in body["furniture"]:
            words = results["pages"][item["page"] - 1]["words"]
            assert [words[i]["text"] for i in item["words"]] == [item["text"]]
            assert words[item["words"][0]]["bbox"] == item["bbox"]
        assert "Is there no information?" in " ".join(body["markdown"].split())
        # a user of another team sees neither
        for route in ROUTES:
            response = await second_client.get(f"/api/v1/documents/{document_id}/{route}")

            assert_problem(response, 404, "NOT_FOUND")

    async def test_bad_format_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            f"/api/v1/documents/{UNKNOWN}/markdown", params={"format": "pdf"}
        )

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_bad_sizes_are_problems(self, client: httpx.AsyncClient) -> None:
        # checked before the document is looked up: no processing needed
        for params in BAD_SIZES:
            response = await client.get(f"/api/v1/documents/{UNKNOWN}/chunks", params=params)

            assert_problem(response, 422, "VALIDATION_ERROR")


class TestAccess:
    async def test_without_credentials(self, anonymous_client: httpx.AsyncClient) -> None:
        for route in ROUTES:
            response = await anonymous_client.get(f"/api/v1/documents/{UNKNOWN}/{route}")

            assert_problem(response, 401, "UNAUTHORIZED")

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_before_processing_is_a_conflict(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(FOUR_PAGES))

        for route in ROUTES:
            response = await client.get(f"/api/v1/documents/{document['id']}/{route}")

            assert_problem(response, 409, "CONFLICT")
