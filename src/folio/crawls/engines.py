"""What a chunk runs with (its job's plan, fetcher and filters), and what each engine turns
it into: a stream of image candidates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from folio.config import Settings
from folio.core.runtime import Runtime
from folio.crawls.models import CrawlJob
from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.fetcher import Fetcher, FetchPolicy
from folio.webcrawl.images import ImageFilters
from folio.webcrawl.robots import RobotsCache
from folio.webcrawl.search import openverse_search, wikimedia_search
from folio.webcrawl.web import PageSkip, SiteScope, crawl_site

MAX_PAGES_PER_SEED = 500
PAGE_SKIPS_THAT_ARE_POLICY = ("robots_disallowed", "noai")
SEED_CODES = {"refused_address": "SEED_REFUSED"}  # any other failed seed: SEED_UNREACHABLE


class ChunkFailed(Exception):
    """The chunk's own source failed (a seed page, a search API): retry it later."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class JobPlan:
    """The plain values of a crawl job a chunk needs; no ORM object crosses a session."""

    job_id: str
    team_id: str
    project_id: str
    max_depth: int
    allowed_domains: frozenset[str]
    filters: dict[str, Any]
    default_label: str | None


class Halt(StrEnum):
    max_images = "max_images"
    credits = "credits"
    stopped = "stopped"  # the job was stopped or paused, or this process is shutting down


@dataclass
class ChunkRun:
    """One run of a chunk: what it crawls with and who holds its lease."""

    runtime: Runtime
    plan: JobPlan
    chunk_id: str
    owner: str  # the supervisor holding the chunk's lease
    fetcher: Fetcher
    robots: RobotsCache
    should_stop: Callable[[], bool]
    filters: ImageFilters = field(init=False)

    def __post_init__(self) -> None:
        self.filters = filters_from(self.plan.filters, self.runtime.settings.max_image_pixels)


def filters_from(raw: dict, max_pixels: int) -> ImageFilters:
    width, height = raw.get("min_resolution") or (0, 0)
    aspect = raw.get("aspect_ratio") or (None, None)
    return ImageFilters.from_names(
        raw.get("formats"),
        min_width=width,
        min_height=height,
        max_bytes=raw.get("max_bytes"),
        min_aspect=aspect[0],
        max_aspect=aspect[1],
        max_pixels=max_pixels,
    )


def plan_of(job: CrawlJob) -> JobPlan:
    return JobPlan(
        job_id=job.id,
        team_id=job.team_id,
        project_id=job.project_id,
        max_depth=job.max_depth,
        allowed_domains=frozenset(job.allowed_domains),
        filters=dict(job.filters),
        default_label=job.labels[0] if job.labels else None,
    )


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        timeout_s=settings.crawler_timeout_s,
        max_bytes=settings.crawler_max_image_bytes,
        max_redirects=settings.crawler_max_redirects,
        retries=settings.crawler_retries,
        backoff_s=settings.crawler_backoff_s,
        per_host_concurrency=settings.crawler_per_host_concurrency,
        per_host_interval_s=settings.crawler_per_host_interval_s,
        max_crawl_delay_s=settings.crawler_max_crawl_delay_s,
        allowed_hosts=tuple(settings.crawler_allowed_hosts),
    )


async def candidates(
    engine: str,
    spec: dict[str, Any],
    plan: JobPlan,
    fetcher: Fetcher,
    robots: RobotsCache,
    settings: Settings,
    should_stop: Callable[[], bool],
) -> AsyncIterator[ImageRef]:
    if engine == "web":
        scope = SiteScope(plan.allowed_domains, plan.max_depth, MAX_PAGES_PER_SEED)
        seed = spec["seed"]
        pages = crawl_site(
            fetcher,
            robots,
            [seed],
            scope,
            should_stop=should_stop,
            robots_sitemaps=bool(spec.get("robots_sitemaps")),
        )
        async for item in pages:
            if isinstance(item, PageSkip):
                if item.url == seed and item.reason not in PAGE_SKIPS_THAT_ARE_POLICY:
                    code = SEED_CODES.get(item.reason, "SEED_UNREACHABLE")
                    raise ChunkFailed(code, f"{item.reason}: {item.message}")
                continue
            yield item
    elif engine == "urls":
        for entry in spec["urls"]:
            yield ImageRef(
                entry["url"], None, entry.get("caption"), "url", label=entry.get("label")
            )
    elif engine in ("openverse", "wikimedia"):
        search = openverse_search if engine == "openverse" else wikimedia_search
        base = settings.openverse_api_url if engine == "openverse" else settings.wikimedia_api_url
        for ref in await search(fetcher, base, spec["keyword"], int(spec["page"])):
            yield ref
    else:
        raise ChunkFailed("UNKNOWN_ENGINE", f"no engine {engine}")
