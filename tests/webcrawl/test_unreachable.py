"""What a crawl reports when it cannot reach a site: a robots.txt that is missing (RFC 9309:
no rules), failing (crawl nothing, reported as ``unreachable``), a host the SSRF guard refuses
(``refused_address``, naming the setting that allows it) or a port nobody listens on."""

from __future__ import annotations

import socket

import pytest

from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.fetcher import Fetcher, FetchError, FetchPolicy
from folio.webcrawl.robots import RobotsCache
from folio.webcrawl.web import Downloaded, PageSkip, Refused, SiteScope, crawl_site, download
from tests.webcrawl.site import LocalSite
from tests.webcrawl.test_library import FILTERS, LOOPBACK

NOT_ALLOWED = FetchPolicy(timeout_s=1.0, retries=0)  # no allow-list: loopback is refused


def closed_port_url() -> str:
    """A loopback URL on a port that was free a moment ago: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def crawl_and_download(
    base_url: str, policy: FetchPolicy, *, seed: str = "/", image: str = "/img/cat.jpg"
) -> tuple[list[ImageRef], list[PageSkip], Downloaded | Refused]:
    """Crawls ``seed`` one level deep, then downloads ``image`` with the same robots cache."""
    refs: list[ImageRef] = []
    skips: list[PageSkip] = []
    async with Fetcher(policy) as fetcher:
        robots = RobotsCache(fetcher)
        scope = SiteScope(frozenset(), max_depth=1)
        async for item in crawl_site(fetcher, robots, [base_url + seed], scope):
            (skips if isinstance(item, PageSkip) else refs).append(item)  # type: ignore[arg-type]
        ref = ImageRef(base_url + image, base_url + "/")
        result = await download(fetcher, robots, ref, FILTERS, max_bytes=1_000_000)
    return refs, skips, result


async def test_a_missing_robots_txt_allows_everything(test_site: LocalSite) -> None:
    test_site.robots_status = 404
    refs, skips, hidden = await crawl_and_download(
        test_site.base_url, LOOPBACK, image="/private/hidden.jpg"
    )
    assert {s.reason for s in skips} == {"noai"}
    assert test_site.hits["/private/secret.html"] == 1  # what robots.txt used to forbid
    assert {r.url.removeprefix(test_site.base_url) for r in refs} >= {
        "/img/cat.jpg",
        "/img/secret-only.jpg",
        "/private/hidden.jpg",
    }
    assert isinstance(hidden, Downloaded)


async def test_a_failing_robots_txt_fetches_nothing_and_says_unreachable(
    test_site: LocalSite,
) -> None:
    test_site.robots_status = 500
    refs, skips, image = await crawl_and_download(test_site.base_url, LOOPBACK)
    assert refs == []
    assert [(s.url, s.reason) for s in skips] == [(test_site.base_url + "/", "unreachable")]
    assert "robots.txt" in skips[0].message and "HTTP 500" in skips[0].message
    assert isinstance(image, Refused) and image.rejection.reason == "unreachable"
    assert set(test_site.hits) == {"/robots.txt"}  # neither the page nor the image


async def test_a_refused_host_is_reported_with_the_guards_message(test_site: LocalSite) -> None:
    refs, skips, image = await crawl_and_download(test_site.base_url, NOT_ALLOWED)
    assert refs == []
    assert [(s.url, s.reason) for s in skips] == [(test_site.base_url + "/", "refused_address")]
    assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in skips[0].message
    assert isinstance(image, Refused) and image.rejection.reason == "refused_address"
    assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in image.rejection.message
    assert test_site.hits == {}


async def test_a_refused_download_keeps_its_reason_without_robots(test_site: LocalSite) -> None:
    """Without a robots.txt check first, the image fetch itself meets the guard."""
    async with Fetcher(NOT_ALLOWED) as fetcher:
        ref = ImageRef(test_site.base_url + "/img/cat.jpg")
        result = await download(fetcher, None, ref, FILTERS, max_bytes=1_000_000)
    assert isinstance(result, Refused) and result.rejection.reason == "refused_address"
    assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in result.rejection.message
    assert test_site.hits == {}


async def test_a_closed_port_is_unreachable() -> None:
    base_url = closed_port_url()
    refs, skips, image = await crawl_and_download(base_url, LOOPBACK)
    assert refs == []
    assert [(s.url, s.reason) for s in skips] == [(base_url + "/", "unreachable")]
    assert isinstance(image, Refused) and image.rejection.reason == "unreachable"
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError) as failed:
            await fetcher.fetch(base_url + "/img/cat.jpg")
    assert failed.value.reason == "unreachable" and failed.value.retryable


async def test_a_host_that_does_not_resolve_is_unreachable_not_refused() -> None:
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError) as failed:
            await fetcher.fetch("http://nowhere.invalid/cat.jpg")
    assert failed.value.reason == "unreachable"
    assert "does not resolve" in failed.value.message


async def test_a_robots_txt_seed_that_is_missing_or_refused_is_reported(
    test_site: LocalSite,
) -> None:
    test_site.robots_status = 404
    _, missing, _ = await crawl_and_download(test_site.base_url, LOOPBACK, seed="/robots.txt")
    assert [s.reason for s in missing] == ["http_404"]
    _, refused, _ = await crawl_and_download(test_site.base_url, NOT_ALLOWED, seed="/robots.txt")
    assert [s.reason for s in refused] == ["refused_address"]
