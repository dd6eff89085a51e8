"""robots.txt ``Crawl-delay`` and ``Sitemap:`` lines, and seeds that are sitemaps (index,
gzipped urlset, image sitemap), against the local test site."""

from __future__ import annotations

import itertools

import httpx
import pytest

from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.fetcher import Fetcher, FetchPolicy
from folio.webcrawl.robots import RobotsCache, crawl_delay
from folio.webcrawl.web import PageSkip, SiteScope, crawl_site
from tests.crawls.test_api import CRAWL_SETTINGS, all_images, by_path, crawl, create_project
from tests.webcrawl.site import LocalSite

LOOPBACK = FetchPolicy(allowed_hosts=("127.0.0.1",), timeout_s=1.0, retries=0)


async def collect(
    site: LocalSite,
    seeds: list[str],
    *,
    depth: int = 0,
    policy: FetchPolicy = LOOPBACK,
    robots_sitemaps: bool = False,
) -> tuple[set[str], set[tuple[str, str]]]:
    """The image paths a crawl yields, and the (path, reason) of what it skipped."""
    images: set[str] = set()
    skipped: set[tuple[str, str]] = set()
    async with Fetcher(policy) as fetcher:
        robots = RobotsCache(fetcher)
        scope = SiteScope(frozenset(), max_depth=depth)
        urls = [site.base_url + seed for seed in seeds]
        async for item in crawl_site(fetcher, robots, urls, scope, robots_sitemaps=robots_sitemaps):
            if isinstance(item, ImageRef):
                images.add(item.url.removeprefix(site.base_url))
            elif isinstance(item, PageSkip):
                skipped.add((item.url.removeprefix(site.base_url), item.reason))
    return images, skipped


GALLERY_IMAGES = {
    "/img/cat-copy.jpg",
    "/img/cat-reencoded.png",
    "/img/broken.jpg",
    "/img/garbage.jpg",
    "/img/tiny.png",
    "/private/hidden.jpg",
    "/img/slow.jpg",
    "/img/fail.jpg",
    "/img/flaky.jpg",
    "/img/noai-header.jpg",
    "/img/rotated.jpg",
    "/img/redirect.jpg",
}
SITEMAP_SKIPS = {("/noai.html", "noai"), ("/private/secret.html", "robots_disallowed")}


class TestCrawlDelay:
    @pytest.mark.parametrize(
        ("robots", "expected"),
        [
            ("User-agent: *\nCrawl-delay: 0.5\n", 0.5),
            ("User-agent: *\nDisallow: /x\nCrawl-delay: 2\n", 2.0),
            ("User-agent: FolioCrawler\nCrawl-delay: 3\n\nUser-agent: *\nCrawl-delay: 9\n", 3.0),
            ("User-agent: other\nCrawl-delay: 3\n\nUser-agent: *\nCrawl-delay: 1.5\n", 1.5),
            ("User-agent: a\nUser-agent: foliocrawler\nCrawl-delay: 4 # slow\n", 4.0),
            ("User-agent: foliocrawler\nDisallow:\n\nUser-agent: *\nCrawl-delay: 9\n", None),
            ("User-agent: *\nCrawl-delay: soon\n", None),
            ("User-agent: *\nCrawl-delay: -1\n", None),
            ("Crawl-delay: 5\n", None),  # outside any group
        ],
    )
    def test_the_delay_of_our_group_or_of_everyone(
        self, robots: str, expected: float | None
    ) -> None:
        assert crawl_delay(robots.splitlines(), "FolioCrawler/1.0") == expected

    async def test_requests_to_the_host_are_spaced_by_the_crawl_delay(
        self, test_site: LocalSite
    ) -> None:
        test_site.robots_extra = "Crawl-delay: 0.3\n"
        images, _ = await collect(test_site, ["/"], depth=1)
        paths = [path for _, path in test_site.starts]
        assert paths == ["/robots.txt", "/", "/gallery.html", "/noai.html"]
        starts = [t for t, _ in test_site.starts]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 0.28, gaps
        assert "/img/cat.jpg" in images
        async with Fetcher(LOOPBACK) as fetcher:
            assert await RobotsCache(fetcher).delay(test_site.base_url + "/") == 0.3

    async def test_a_long_crawl_delay_is_capped_by_the_policy(self, test_site: LocalSite) -> None:
        test_site.robots_extra = "Crawl-delay: 30\n"
        # a generous timeout: on a loaded machine a 1 s one timed out, and the retry made a
        # fifth request (this test is about pacing, not timeouts)
        policy = FetchPolicy(allowed_hosts=("127.0.0.1",), timeout_s=10.0, max_crawl_delay_s=0.2)
        async with Fetcher(policy) as fetcher:
            robots = RobotsCache(fetcher)
            assert await robots.delay(test_site.base_url + "/") == 0.2
            for path in ("/", "/gallery.html", "/noai.html"):
                await fetcher.fetch(test_site.base_url + path)
        paths = [path for _, path in test_site.starts]
        assert paths == ["/robots.txt", "/", "/gallery.html", "/noai.html"]
        starts = [t for t, _ in test_site.starts]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert len(gaps) == 3 and all(0.18 <= gap < 2.0 for gap in gaps), gaps

    async def test_no_crawl_delay_means_no_pause(self, test_site: LocalSite) -> None:
        async with Fetcher(LOOPBACK) as fetcher:
            assert await RobotsCache(fetcher).delay(test_site.base_url + "/") is None


class TestSitemaps:
    async def test_a_sitemap_index_expands_into_its_pages_and_images(
        self, test_site: LocalSite
    ) -> None:
        """The index lists a gzipped urlset (gallery, noai, a disallowed page) and an image
        sitemap; its pages are crawled as seeds, at depth 0 (their links are not)."""
        images, skipped = await collect(test_site, ["/sitemap.xml"])
        assert images == GALLERY_IMAGES | {"/img/bird.jpg", "/img/outside.jpg"}
        assert skipped == SITEMAP_SKIPS
        assert test_site.hits["/sitemaps/pages.xml.gz"] == 1
        assert "/deep/level2.html" in test_site.hits  # listed in the image sitemap
        assert "/" not in test_site.hits  # not listed, not linked at depth 0

    async def test_a_gzipped_urlset_as_the_seed(self, test_site: LocalSite) -> None:
        images, skipped = await collect(test_site, ["/sitemaps/pages.xml.gz"])
        assert images == GALLERY_IMAGES
        assert skipped == SITEMAP_SKIPS

    async def test_robots_txt_sitemap_lines(self, test_site: LocalSite) -> None:
        test_site.robots_extra = "Sitemap: {base}/sitemaps/images.xml\n"
        async with Fetcher(LOOPBACK) as fetcher:
            listed = await RobotsCache(fetcher).sitemaps(test_site.base_url + "/any/page")
        assert listed == [test_site.base_url + "/sitemaps/images.xml"]

        from_robots, _ = await collect(test_site, ["/robots.txt"])
        assert from_robots == {"/img/bird.jpg", "/img/outside.jpg"}
        with_root, _ = await collect(test_site, ["/"], robots_sitemaps=True)
        assert with_root == {
            "/img/hero.jpg",
            "/img/cat.jpg",
            "/img/dog-small.jpg",
            "/img/dog.jpg",
            "/img/bird.jpg",
            "/img/outside.jpg",
        }
        without, _ = await collect(test_site, ["/"])
        assert "/img/bird.jpg" not in without

    async def test_a_gzip_bomb_posing_as_a_sitemap_is_refused(self, test_site: LocalSite) -> None:
        images, skipped = await collect(test_site, ["/sitemaps/bomb.xml.gz"])
        assert images == set()
        assert skipped == {("/sitemaps/bomb.xml.gz", "too_large")}


class TestSitemapJobs:
    """Sitemap seeds and robots.txt sitemaps through the jobs API and the supervisor."""

    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return dict(CRAWL_SETTINGS)

    async def test_a_job_seeded_with_a_sitemap_index(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(
            client, project["id"], test_site, seeds=[test_site.base_url + "/sitemap.xml"]
        )
        assert progress["status"] == "completed", progress
        images = by_path(
            await all_images(client, f"/api/v1/jobs/{progress['job_id']}/images"), test_site
        )
        assert set(images) == GALLERY_IMAGES | {"/img/bird.jpg", "/img/outside.jpg"}
        bird = images["/img/bird.jpg"]
        assert bird["found_in"] == "sitemap" and bird["alt_text"] == "a bird"
        assert bird["page_url"] == test_site.base_url + "/deep/level2.html"

    async def test_a_job_that_reads_the_sitemaps_robots_txt_lists(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        test_site.robots_extra = "Sitemap: {base}/sitemaps/images.xml\n"
        project = await create_project(client)
        progress = await crawl(
            client, project["id"], test_site, max_depth=0, use_robots_sitemaps=True
        )
        assert progress["status"] == "completed", progress
        images = by_path(
            await all_images(client, f"/api/v1/jobs/{progress['job_id']}/images"), test_site
        )
        assert {"/img/cat.jpg", "/img/bird.jpg", "/img/outside.jpg"} <= set(images)
