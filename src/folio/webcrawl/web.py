"""The ``web`` and ``urls`` engines: a polite breadth-first crawl from seed pages or sitemaps,
and lists of image URLs (text, CSV or JSON, with optional labels)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from folio.webcrawl.discovery import ImageRef, Sitemap, normalize, parse_page, parse_sitemap
from folio.webcrawl.fetcher import Fetcher, FetchError, FetchResult
from folio.webcrawl.images import CleanImage, ImageFilters, Rejection, validate
from folio.webcrawl.robots import RobotsCache, forbids_ai_use

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/xml", "text/xml")
GZIP_TYPES = ("application/gzip", "application/x-gzip")
GZIP_MAGIC = b"\x1f\x8b"
PAGE_MAX_BYTES = 5 * 1024 * 1024
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
MAX_SITEMAPS = 50
# fetch errors an image rejection names as they are; any other is ``download_failed``
FETCH_REJECTIONS = frozenset({"too_large", "refused_address", "unreachable"})


@dataclass(frozen=True)
class SiteScope:
    allowed_domains: frozenset[str]  # empty: the seeds' own hosts
    max_depth: int = 2
    max_pages: int = 200

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)


@dataclass(frozen=True)
class PageSkip:
    """A page the crawl did not read, and why (robots, noai, fetch error)."""

    url: str
    reason: str
    message: str


async def crawl_site(
    fetcher: Fetcher,
    robots: RobotsCache,
    seeds: list[str],
    scope: SiteScope,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    robots_sitemaps: bool = False,
) -> AsyncIterator[ImageRef | PageSkip]:
    """Yields image candidates page by page, breadth-first within the scope and depth.

    A seed may be a page, a sitemap or sitemap index (also gzipped), or a ``/robots.txt``
    (its ``Sitemap:`` lines); with ``robots_sitemaps`` every seed's origin adds those too.
    A sitemap's pages are crawled at the sitemap's own depth: it lists seeds, not links."""
    if not scope.allowed_domains:
        hosts = {(urlsplit(s).hostname or "").lower() for s in seeds}
        scope = SiteScope(frozenset(hosts), scope.max_depth, scope.max_pages)
    frontier = Frontier(scope)
    for seed in seeds:
        if urlsplit(seed).path == "/robots.txt":
            frontier.add_sitemaps(await robots.sitemaps(seed), 0)
            if (unread := robots.unreadable(seed)) is not None:
                yield PageSkip(seed, unread.reason, unread.message)
            continue
        frontier.add(seed, 0, sitemap=_named_like_sitemap(seed))
        if robots_sitemaps:
            frontier.add_sitemaps(await robots.sitemaps(seed), 0)
    pages = 0
    while frontier.queue and pages < scope.max_pages and not should_stop():
        url, depth = frontier.queue.popleft()
        if (blocked := await robots.blocked(url)) is not None:
            yield PageSkip(url, blocked.reason, blocked.message)
            continue
        sitemap = url in frontier.sitemaps
        try:
            result = await fetcher.fetch(
                url, max_bytes=SITEMAP_MAX_BYTES if sitemap else PAGE_MAX_BYTES
            )
            if sitemap or _is_sitemap(result):
                for image in frontier.expand(parse_sitemap(sitemap_xml(result.body), url), depth):
                    yield image
                continue
        except FetchError as error:
            yield PageSkip(url, error.reason, error.message)
            continue
        pages += 1
        if result.content_type not in HTML_TYPES:
            continue
        found = parse_page(result.body.decode("utf-8", errors="replace"), result.final_url)
        if forbids_ai_use(result.headers) or found.forbids_ai:
            yield PageSkip(url, "noai", "the page opts out of AI use (noai/noimageai)")
        else:
            for image in found.images:
                yield image
        if depth < scope.max_depth:
            for link in found.links:
                if scope.allows(link):
                    frontier.add(link, depth + 1, sitemap=_named_like_sitemap(link))


class Frontier:
    """The crawl's queue: each URL once, sitemaps marked, at most MAX_SITEMAPS of them."""

    def __init__(self, scope: SiteScope) -> None:
        self.scope = scope
        self.queue: deque[tuple[str, int]] = deque()
        self.seen: set[str] = set()
        self.sitemaps: set[str] = set()

    def add(self, url: str, depth: int, *, sitemap: bool = False) -> None:
        if url in self.seen or (sitemap and len(self.sitemaps) >= MAX_SITEMAPS):
            return
        self.seen.add(url)
        if sitemap:
            self.sitemaps.add(url)
        self.queue.append((url, depth))

    def add_sitemaps(self, urls: list[str], depth: int) -> None:
        """Sitemaps a robots.txt lists: they may live on another host (a CDN)."""
        for url in urls:
            if (absolute := normalize(url, url)) is not None:
                self.add(absolute, depth, sitemap=True)

    def expand(self, sitemap: Sitemap, depth: int) -> list[ImageRef]:
        """Queues a sitemap's pages (at its depth) and child sitemaps; returns its images."""
        for child in sitemap.sitemaps:
            if self.scope.allows(child):
                self.add(child, depth, sitemap=True)
        for page in sitemap.pages:
            if self.scope.allows(page):
                self.add(page, depth)
        return [image for image in sitemap.images if self.scope.allows(image.page_url or "")]


def _named_like_sitemap(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".xml", ".xml.gz"))


def _is_sitemap(result: FetchResult) -> bool:
    return (
        _named_like_sitemap(result.final_url)
        or result.content_type in XML_TYPES + GZIP_TYPES
        or result.body[:2] == GZIP_MAGIC
    )


def sitemap_xml(body: bytes) -> bytes:
    """The XML of a sitemap, gunzipped when it is gzipped, within SITEMAP_MAX_BYTES (the
    protocol's limit, uncompressed): a bigger one, or a gzip bomb, is refused."""
    if body[:2] != GZIP_MAGIC:
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        xml = inflater.decompress(body, SITEMAP_MAX_BYTES)
    except zlib.error as exc:
        raise FetchError("bad_gzip", f"the sitemap is not valid gzip: {exc}") from exc
    if inflater.unconsumed_tail:
        raise FetchError("too_large", f"the sitemap inflates beyond {SITEMAP_MAX_BYTES} bytes")
    return xml


@dataclass(frozen=True)
class Downloaded:
    ref: ImageRef
    image: CleanImage
    final_url: str


@dataclass(frozen=True)
class Refused:
    ref: ImageRef
    rejection: Rejection
    size: int | None = None  # bytes downloaded, when the refusal came after the download


async def download(
    fetcher: Fetcher,
    robots: RobotsCache | None,
    ref: ImageRef,
    filters: ImageFilters,
    *,
    max_bytes: int,
) -> Downloaded | Refused:
    """Fetches one candidate (robots and noai honoured) and validates it in a thread."""
    if robots is not None and (blocked := await robots.blocked(ref.url)) is not None:
        return Refused(ref, Rejection(blocked.reason, blocked.message[:300]))
    try:
        result = await fetcher.fetch(ref.url, max_bytes=max_bytes)
    except FetchError as error:
        reason = error.reason if error.reason in FETCH_REJECTIONS else "download_failed"
        return Refused(ref, Rejection(reason, f"{error.reason}: {error.message}"[:300]))
    if forbids_ai_use(result.headers):
        rejection = Rejection("noai", "X-Robots-Tag opts this image out of AI use")
        return Refused(ref, rejection, len(result.body))
    checked = await asyncio.to_thread(validate, result.body, filters)
    if isinstance(checked, Rejection):
        return Refused(ref, checked, len(result.body))
    return Downloaded(ref, checked, result.final_url)


def parse_url_list(text: str, fmt: str = "auto") -> list[ImageRef]:
    """Image URLs from plain text (one a line, ``url<TAB or space>label``), CSV (``url``
    column, optional ``label``/``caption``) or JSON (strings or objects with ``url``)."""
    fmt = _guess_format(text) if fmt == "auto" else fmt
    rows: list[tuple[str, str | None, str | None]]
    if fmt == "json":
        rows = [_json_row(item) for item in json.loads(text)]
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [
            (r.get("url") or "", r.get("label") or None, r.get("caption") or None) for r in reader
        ]
    else:
        rows = []
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                link, _, name = line.strip().replace("\t", " ").partition(" ")
                rows.append((link, name.strip() or None, None))
    refs, seen = [], set()
    for url, label, caption in rows:
        absolute = normalize(url, url)
        if absolute is not None and absolute not in seen:
            seen.add(absolute)
            refs.append(ImageRef(absolute, None, caption, "url", label=label))
    return refs


def _guess_format(text: str) -> str:
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "json"
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    return "csv" if "url" in first.lower().split(",") else "text"


def _json_row(item: object) -> tuple[str, str | None, str | None]:
    if isinstance(item, str):
        return item, None, None
    if isinstance(item, dict):
        label = item.get("label")
        caption = item.get("caption") or item.get("alt")
        return str(item.get("url", "")), str(label) if label else None, caption
    return "", None, None
