"""The crawler library against the local test site: no database, no web framework."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from folio.webcrawl.dedup import Deduplicator, PerceptualIndex
from folio.webcrawl.discovery import ImageRef, largest_srcset_candidate, parse_sitemap
from folio.webcrawl.fetcher import Fetcher, FetchError, FetchPolicy
from folio.webcrawl.images import ImageFilters, Rejection, hamming, validate
from folio.webcrawl.robots import RobotsCache, forbids_ai_use
from folio.webcrawl.web import Downloaded, PageSkip, SiteScope, crawl_site, download, parse_url_list
from tests.webcrawl.site import LocalSite, encode, picture

LOOPBACK = FetchPolicy(allowed_hosts=("127.0.0.1",), timeout_s=1.0, retries=1, backoff_s=0.05)
FILTERS = ImageFilters(min_width=64, min_height=64)


async def crawl(site: LocalSite) -> tuple[dict[str, object], list[PageSkip]]:
    """Every candidate URL path -> ("accepted", exact/near/None) or ("rejected", reason)."""
    outcome: dict[str, object] = {}
    skipped: list[PageSkip] = []
    dedup = Deduplicator(threshold=8)
    async with Fetcher(LOOPBACK) as fetcher:
        robots = RobotsCache(fetcher)
        scope = SiteScope(frozenset(), max_depth=1)
        async for item in crawl_site(fetcher, robots, [site.base_url + "/"], scope):
            if isinstance(item, PageSkip):
                skipped.append(item)
                continue
            result = await download(fetcher, robots, item, FILTERS, max_bytes=1_000_000)
            path = item.url.removeprefix(site.base_url)
            if isinstance(result, Downloaded):
                image = result.image
                duplicate = dedup.check(image.sha256, image.phash)
                if duplicate is None:
                    dedup.add(path, image.sha256, image.phash)
                outcome[path] = ("accepted", duplicate and (duplicate[0], duplicate[1].image_id))
            else:
                outcome[path] = ("rejected", result.rejection.reason)
    return outcome, skipped


async def test_crawl_collects_exactly_what_is_allowed(test_site: LocalSite) -> None:
    outcome, skipped = await crawl(test_site)
    accepted = {p for p, (state, _) in outcome.items() if state == "accepted"}
    assert accepted == {
        "/img/hero.jpg",
        "/img/cat.jpg",
        "/img/dog-small.jpg",
        "/img/dog.jpg",
        "/img/cat-copy.jpg",
        "/img/cat-reencoded.png",
        "/img/flaky.jpg",
        "/img/rotated.jpg",
        "/img/redirect.jpg",
    }
    # never collected: behind a disallowed page, on a noimageai page, beyond the depth
    for path in ("/img/secret-only.jpg", "/img/noai-page.jpg", "/img/outside.jpg"):
        assert path not in outcome
        assert test_site.hits.get(path) is None
    assert test_site.hits.get("/private/secret.html") is None
    assert {(s.url.removeprefix(test_site.base_url), s.reason) for s in skipped} == {
        ("/private/secret.html", "robots_disallowed"),
        ("/noai.html", "noai"),
    }


async def test_invalid_images_are_rejected_with_a_reason(test_site: LocalSite) -> None:
    outcome, _ = await crawl(test_site)
    rejected = {p: reason for p, (state, reason) in outcome.items() if state == "rejected"}
    assert rejected == {
        "/img/broken.jpg": "truncated",
        "/img/garbage.jpg": "not_an_image",
        "/img/tiny.png": "too_small",
        "/private/hidden.jpg": "robots_disallowed",
        "/img/slow.jpg": "download_failed",
        "/img/fail.jpg": "download_failed",
        "/img/noai-header.jpg": "noai",
    }
    assert test_site.hits.get("/private/hidden.jpg") is None  # robots: never requested
    assert test_site.hits["/img/fail.jpg"] == 2  # retried once
    assert test_site.hits["/img/flaky.jpg"] == 2  # the retry succeeded


async def test_exact_and_near_duplicates_are_flagged(test_site: LocalSite) -> None:
    outcome, _ = await crawl(test_site)
    assert outcome["/img/cat-copy.jpg"] == ("accepted", ("exact", "/img/cat.jpg"))
    assert outcome["/img/cat-reencoded.png"] == ("accepted", ("near", "/img/cat.jpg"))
    assert outcome["/img/dog.jpg"] == ("accepted", ("near", "/img/dog-small.jpg"))
    for original in ("/img/hero.jpg", "/img/cat.jpg", "/img/rotated.jpg", "/img/redirect.jpg"):
        assert outcome[original] == ("accepted", None)


def test_exif_orientation_is_applied_and_metadata_stripped(test_site: LocalSite) -> None:
    clean = validate(test_site.images["rotated.jpg"], FILTERS)
    assert not isinstance(clean, Rejection)
    assert (clean.width, clean.height) == (300, 400)
    reopened = Image.open(io.BytesIO(clean.content))
    assert reopened.size == (300, 400)
    assert len(reopened.getexif()) == 0
    assert "exif" not in reopened.info
    assert Image.open(io.BytesIO(clean.thumbnail)).size == (192, 256)


@pytest.mark.parametrize(
    ("filters", "reason"),
    [
        (ImageFilters(formats=frozenset({"png"})), "format_not_allowed"),
        (ImageFilters(max_bytes=100), "too_large"),
        (ImageFilters(min_aspect=1.5), "aspect_ratio"),
        (ImageFilters(max_aspect=1.2), "aspect_ratio"),
        (ImageFilters(max_pixels=1000), "too_many_pixels"),
    ],
)
def test_filters_reject_with_their_reason(filters: ImageFilters, reason: str) -> None:
    result = validate(encode(picture(1)), filters)  # a 400x300 JPEG
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_format_names_accept_aliases() -> None:
    assert ImageFilters.from_names(["JPG", "png"]).formats == {"jpeg", "png"}


async def test_private_addresses_are_refused_without_the_allow_list(test_site: LocalSite) -> None:
    async with Fetcher(FetchPolicy(retries=0)) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(test_site.base_url + "/img/cat.jpg")
    assert refused.value.reason == "refused_address"
    assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in refused.value.message
    assert test_site.hits.get("/img/cat.jpg") is None


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.1/"]
)
async def test_metadata_and_private_targets_are_refused(url: str) -> None:
    async with Fetcher(FetchPolicy(retries=0, allowed_hosts=("127.0.0.1",))) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(url)
    assert refused.value.reason == "refused_address"


async def test_redirects_are_bounded_and_re_checked(test_site: LocalSite) -> None:
    policy = FetchPolicy(allowed_hosts=("127.0.0.1",), max_redirects=0, retries=0)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(test_site.base_url + "/img/redirect.jpg")
    assert refused.value.reason == "too_many_redirects"


async def test_the_size_cap_stops_the_download(test_site: LocalSite) -> None:
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(test_site.base_url + "/img/dog.jpg", max_bytes=1000)
    assert refused.value.reason == "too_large"


async def test_requests_carry_a_descriptive_user_agent(test_site: LocalSite) -> None:
    async with Fetcher(LOOPBACK) as fetcher:
        await fetcher.fetch(test_site.base_url + "/")
    (agent,) = test_site.user_agents
    assert agent.startswith("FolioCrawler/") and "robots.txt" in agent


def test_x_robots_tag_forms() -> None:
    assert forbids_ai_use({"x-robots-tag": "noimageai"})
    assert forbids_ai_use({"x-robots-tag": "noindex, noai"})
    assert forbids_ai_use({"x-robots-tag": "foliocrawler: noai"})
    assert not forbids_ai_use({"x-robots-tag": "otherbot: noai"})
    assert not forbids_ai_use({"x-robots-tag": "noindex, nofollow"})
    assert not forbids_ai_use({})


def test_srcset_picks_the_largest_candidate() -> None:
    assert largest_srcset_candidate("a.jpg 320w, b.jpg 1024w, c.jpg 640w") == "b.jpg"
    assert largest_srcset_candidate("a.jpg, b.jpg 2x") == "b.jpg"


def test_sitemaps_list_pages_images_and_children() -> None:
    xml = b"""<?xml version="1.0"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
      <url><loc>https://ex.com/a.html</loc>
        <image:image><image:loc>https://ex.com/a.jpg</image:loc>
        <image:title>A</image:title></image:image></url>
    </urlset>"""
    sitemap = parse_sitemap(xml, "https://ex.com/sitemap.xml")
    assert sitemap.pages == ["https://ex.com/a.html"]
    assert sitemap.images == [
        ImageRef("https://ex.com/a.jpg", "https://ex.com/a.html", "A", "sitemap")
    ]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://ex.com/s1.xml</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index, "https://ex.com/").sitemaps == ["https://ex.com/s1.xml"]
    assert parse_sitemap(b"<not xml", "https://ex.com/").pages == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://a.com/1.jpg cat\n# comment\nhttps://a.com/2.jpg\n",
            [("https://a.com/1.jpg", "cat"), ("https://a.com/2.jpg", None)],
        ),
        (
            "url,label\nhttps://a.com/1.jpg,dog\nftp://x/y.jpg,bad\n",
            [("https://a.com/1.jpg", "dog")],
        ),
        (
            '[{"url": "https://a.com/1.jpg", "label": "owl"}, "https://a.com/2.jpg"]',
            [("https://a.com/1.jpg", "owl"), ("https://a.com/2.jpg", None)],
        ),
    ],
)
def test_url_lists(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(r.url, r.label) for r in parse_url_list(text)] == expected


def test_perceptual_index_matches_brute_force() -> None:
    rng = random.Random(5)
    index = PerceptualIndex(threshold=10)
    stored = [rng.getrandbits(64) for _ in range(5000)]
    for number, value in enumerate(stored):
        index.add(value, str(number))
    for _ in range(300):
        base = rng.choice(stored)
        query = base ^ sum(1 << b for b in rng.sample(range(64), rng.randint(0, 14)))
        best = min(hamming(query, v) for v in stored)
        match = index.nearest(query)
        if best <= 10:
            assert match is not None and match.distance == best
        else:
            assert match is None


def test_removed_images_stop_being_originals() -> None:
    dedup = Deduplicator(threshold=4)
    dedup.add("a", "sha-a", 0b1111)
    dedup.add("b", "sha-b", 0b1111 << 40)
    assert dedup.check("sha-a", 0)[0] == "exact"
    assert dedup.check("sha-x", 0b0111)[1].image_id == "a"
    dedup.remove({"a"})
    assert dedup.check("sha-a", 0b1111) is None
    assert dedup.check("sha-y", 0b1111 << 40)[1].image_id == "b"
