"""Openverse and Wikimedia Commons clients against local stand-ins serving recorded answers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from folio.webcrawl.fetcher import Fetcher, FetchError, FetchPolicy
from folio.webcrawl.search import openverse_search, wikimedia_search
from tests.crawls.test_api import CRAWL_SETTINGS, all_images, create_project, wait_final
from tests.webcrawl.site import LocalSite, serve
from tests.webcrawl.standins import SearchStandIn

LOOPBACK = FetchPolicy(allowed_hosts=("127.0.0.1",), retries=0)


@pytest.fixture
def stand_in(test_site: LocalSite) -> Iterator[tuple[SearchStandIn, str]]:
    stand_in = SearchStandIn(test_site.base_url)
    with serve(stand_in.app()) as base_url:
        yield stand_in, base_url


async def test_openverse_client_reads_results_and_licences(
    stand_in: tuple[SearchStandIn, str],
) -> None:
    api, base = stand_in
    async with Fetcher(LOOPBACK) as fetcher:
        refs = await openverse_search(fetcher, base + "/v1", "cat", 1)
    assert api.requests == [("openverse", {"q": "cat", "page": "1", "page_size": "20"})]
    assert [r.url.rsplit("/", 1)[1] for r in refs] == ["cat.jpg", "hero.jpg"]
    first = refs[0]
    assert (first.license, first.license_url) == (
        "CC BY-SA 2.0",
        "https://creativecommons.org/licenses/by-sa/2.0/",
    )
    assert first.creator == "Jane Doe" and first.label == "cat"
    assert first.attribution.startswith('"Tabby cat on a wall" by Jane Doe')
    assert first.page_url == "https://www.flickr.com/photos/jane/2409823405"
    assert refs[1].license == "CC0"


async def test_wikimedia_client_reads_imageinfo_and_extmetadata(
    stand_in: tuple[SearchStandIn, str],
) -> None:
    api, base = stand_in
    async with Fetcher(LOOPBACK) as fetcher:
        refs = await wikimedia_search(fetcher, base + "/w/api.php", "cat", 1)
    ((engine, params),) = api.requests
    assert engine == "wikimedia"
    assert params["gsrsearch"] == "filetype:bitmap cat" and params["gsrlimit"] == "20"
    assert params["iiprop"] == "url|size|mime|extmetadata"
    # pages come back keyed by relevance ``index``, not in list order
    assert [r.title for r in refs] == ["Cat sitting.jpg", "Bird on a branch.jpg"]
    bird = refs[1]
    assert bird.creator == "Bob"  # HTML stripped
    assert bird.alt == "A small bird & a branch"
    assert (bird.license, bird.license_url) == (
        "CC BY-SA 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0",
    )
    assert bird.attribution == '"Bird on a branch.jpg" by Bob, CC BY-SA 4.0'
    assert bird.page_url == "https://commons.wikimedia.org/wiki/File:Bird_on_a_branch.jpg"


async def test_a_failing_search_api_raises(stand_in: tuple[SearchStandIn, str]) -> None:
    _, base = stand_in
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError) as failed:
            await openverse_search(fetcher, base + "/v1", "broken", 1)
    assert failed.value.reason == "http_500"


class TestKeywordJobs:
    @pytest.fixture
    def settings_overrides(self, stand_in: tuple[SearchStandIn, str]) -> dict[str, object]:
        _, base = stand_in
        return {
            **CRAWL_SETTINGS,
            "openverse_api_url": base + "/v1",
            "wikimedia_api_url": base + "/w/api.php",
        }

    async def test_keywords_x_engines_x_pages_become_chunks_with_licences(
        self, client: httpx.AsyncClient, stand_in: tuple[SearchStandIn, str]
    ) -> None:
        project = await create_project(client)
        created = await client.post(
            "/api/v1/jobs",
            json={
                "project_id": project["id"],
                "keywords": ["cat", "broken"],
                "pages_per_keyword": 2,
                "start": True,
            },
        )
        assert created.status_code == 201, created.text
        assert created.json()["engines"] == ["openverse", "wikimedia"]
        progress = await wait_final(client, created.json()["id"])
        assert progress["total_chunks"] == 2 * 2 * 2
        assert progress["failed_chunks"] == 2  # openverse answered 500 for "broken", twice
        assert progress["status"] == "completed"
        images = await all_images(client, f"/api/v1/jobs/{progress['job_id']}/images")
        by_name = {i["source_url"].rsplit("/", 1)[1]: i for i in images}
        assert set(by_name) == {"cat.jpg", "hero.jpg", "bird.jpg", "cat-copy.jpg"}
        cat = by_name["cat.jpg"]
        assert (cat["source"], cat["license"], cat["label"]) == ("openverse", "CC BY-SA 2.0", "cat")
        bird = by_name["bird.jpg"]
        assert (bird["source"], bird["license"], bird["creator"]) == (
            "wikimedia",
            "CC BY-SA 4.0",
            "Bob",
        )
        # the same bytes from both engines: whichever chunk recorded first is the original
        copy = by_name["cat-copy.jpg"]
        first, second = sorted([cat, copy], key=lambda image: image["is_duplicate"])
        assert not first["is_duplicate"]
        assert (second["duplicate_kind"], second["duplicate_of"]) == ("exact", first["id"])
        (chunk,) = [
            c
            for c in (await client.get(f"/api/v1/jobs/{progress['job_id']}/chunks")).json()
            if c["status"] == "failed" and c["spec"]["page"] == 1
        ]
        assert chunk["engine"] == "openverse" and "500" in chunk["error_message"]
