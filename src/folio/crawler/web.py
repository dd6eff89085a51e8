"""The ``web`` and ``urls`` engines: a polite breadth-first crawl from seed pages or sitemaps,
and lists of image URLs (text, CSV or JSON, with optional labels)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from folio.crawler.discovery import ImageRef, normalize, parse_page, parse_sitemap
from folio.crawler.fetcher import Fetcher, FetchError
from folio.crawler.images import CleanImage, ImageFilters, Rejection, validate
from folio.crawler.robots import RobotsCache, forbids_ai_use

HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_SITEMAPS = 50


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
) -> AsyncIterator[ImageRef | PageSkip]:
    """Yields image candidates page by page, breadth-first within the scope and depth."""
    if not scope.allowed_domains:
        hosts = {(urlsplit(s).hostname or "").lower() for s in seeds}
        scope = SiteScope(frozenset(hosts), scope.max_depth, scope.max_pages)
    queue: list[tuple[str, int]] = [(s, 0) for s in seeds]
    seen, pages = set(seeds), 0
    while queue and pages < scope.max_pages and not should_stop():
        url, depth = queue.pop(0)
        if not await robots.allowed(url):
            yield PageSkip(url, "robots_disallowed", "robots.txt disallows this page")
            continue
        try:
            result = await fetcher.fetch(url, max_bytes=PAGE_MAX_BYTES)
        except FetchError as error:
            yield PageSkip(url, error.reason, error.message)
            continue
        pages += 1
        if result.final_url.endswith(".xml") or result.content_type in (
            "application/xml",
            "text/xml",
        ):
            async for item in _from_sitemap(fetcher, result.body, result.final_url, scope):
                if isinstance(item, str):
                    if item not in seen and depth + 1 <= scope.max_depth:
                        seen.add(item)
                        queue.append((item, depth + 1))
                else:
                    yield item
            continue
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
                if link not in seen and scope.allows(link):
                    seen.add(link)
                    queue.append((link, depth + 1))


async def _from_sitemap(
    fetcher: Fetcher, body: bytes, url: str, scope: SiteScope
) -> AsyncIterator[ImageRef | str]:
    """Image entries of a sitemap (index), then its pages as strings to crawl."""
    pending, read = [(body, url)], 0
    while pending and read < MAX_SITEMAPS:
        xml, location = pending.pop(0)
        read += 1
        sitemap = parse_sitemap(xml, location)
        for image in sitemap.images:
            yield image
        for page in sitemap.pages:
            if scope.allows(page):
                yield page
        for child in sitemap.sitemaps:
            if scope.allows(child):
                try:
                    pending.append(((await fetcher.fetch(child)).body, child))
                except FetchError:
                    continue


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
    if robots is not None and not await robots.allowed(ref.url):
        return Refused(ref, Rejection("robots_disallowed", "robots.txt disallows this image"))
    try:
        result = await fetcher.fetch(ref.url, max_bytes=max_bytes)
    except FetchError as error:
        reason = "too_large" if error.reason == "too_large" else "download_failed"
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
                url, _, label = line.strip().replace("\t", " ").partition(" ")
                rows.append((url, label.strip() or None, None))
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
