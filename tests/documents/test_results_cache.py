"""/results bodies kept per process: same bytes, ETag revalidation, never stale, never shared."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from folio.documents.results_cache import ResultsCache, ResultsKey
from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def key(document_id: str) -> ResultsKey:
    return ResultsKey(document_id, 1, NOW, include_words=True)


async def processed(client: httpx.AsyncClient) -> str:
    document = await upload_ok(client, corpus(TRIVIAL_PDF))
    assert (await wait_settled(client, document["id"]))["status"] == "completed"
    return str(document["id"])


class TestCache:
    def test_the_least_recently_read_body_goes_first_when_full(self) -> None:
        cache = ResultsCache(max_bytes=400)
        cache.put(key("a"), b"a" * 100)
        cache.put(key("b"), b"b" * 100)
        cache.put(key("c"), b"c" * 100)
        assert cache.get(key("a")) is not None  # now the most recent
        cache.put(key("d"), b"d" * 100)
        cache.put(key("e"), b"e" * 100)

        assert cache.get(key("b")) is None
        assert [cache.get(key(k)) is not None for k in "acde"] == [True] * 4
        assert cache.size == 400

    def test_a_body_larger_than_a_quarter_of_the_cache_is_not_kept(self) -> None:
        cache = ResultsCache(max_bytes=400)
        cache.put(key("a"), b"a" * 101)
        assert cache.get(key("a")) is None and cache.size == 0

    def test_the_etag_changes_with_the_document_row_and_the_words_flag(self) -> None:
        later = datetime(2026, 12, 3, tzinfo=UTC)
        tags = {
            key("a").etag,
            ResultsKey("a", 1, later, include_words=True).etag,
            ResultsKey("a", 2, NOW, include_words=True).etag,
            ResultsKey("a", 1, NOW, include_words=False).etag,
        }
        assert len(tags) == 4


class TestEndpoint:
    async def test_a_repeated_read_sends_the_same_body_and_revalidates_by_etag(
        self, client: httpx.AsyncClient
    ) -> None:
        url = f"/api/v1/documents/{await processed(client)}/results"

        first, second = await client.get(url), await client.get(url)
        not_modified = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
        without_words = await client.get(url, params={"words": "false"})

        assert first.status_code == second.status_code == 200
        assert first.headers["content-type"] == "application/json"
        assert first.content == second.content
        assert first.json()["pages"][0]["words"]
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == first.headers["etag"]
        assert without_words.headers["etag"] != first.headers["etag"]
        assert without_words.json()["pages"][0]["words"] is None

    async def test_a_new_version_is_sent_in_place_of_the_kept_one(
        self, client: httpx.AsyncClient
    ) -> None:
        document_id = await processed(client)
        url = f"/api/v1/documents/{document_id}/results"
        first = await client.get(url)

        reprocess = await client.post(
            f"/api/v1/documents/{document_id}/reprocess", json={"options": {"ocr": "force"}}
        )
        assert reprocess.status_code == 202, reprocess.text
        assert (await wait_settled(client, document_id))["status"] == "completed"
        latest = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
        older = await client.get(url, params={"version": 1})

        assert latest.status_code == 200
        assert latest.json()["version"] == 2 and latest.headers["etag"] != first.headers["etag"]
        assert latest.json()["pages"][0]["source"] != first.json()["pages"][0]["source"]
        assert older.json() == first.json()

    async def test_another_team_gets_not_found_even_for_a_kept_body(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        url = f"/api/v1/documents/{await processed(client)}/results"
        etag = (await client.get(url)).headers["etag"]

        assert_problem(await second_client.get(url), 404, "NOT_FOUND")
        revalidated = await second_client.get(url, headers={"If-None-Match": etag})
        assert_problem(revalidated, 404, "NOT_FOUND")
