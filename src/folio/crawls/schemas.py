from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AnyHttpUrl, Field, model_validator

from folio.core.schemas import BoundedInt, Schema
from folio.crawls.models import CrawlStatus


class Engine(StrEnum):
    web = "web"  # crawl from seed pages or sitemaps
    urls = "urls"  # a list of image URLs (text, CSV or JSON)
    openverse = "openverse"
    wikimedia = "wikimedia"


class UrlListFormat(StrEnum):
    auto = "auto"
    text = "text"
    csv = "csv"
    json = "json"


class QualityFilters(Schema):
    min_resolution: tuple[BoundedInt, BoundedInt] | None = Field(
        default=None, description="[min_width, min_height] in pixels"
    )
    formats: list[str] = Field(
        default_factory=list, max_length=10, description="e.g. ['jpg', 'png', 'webp']"
    )
    max_bytes: BoundedInt | None = Field(default=None, gt=0)
    aspect_ratio: tuple[float, float] | None = Field(
        default=None, description="[min, max] of width / height"
    )

    @model_validator(mode="after")
    def check(self) -> QualityFilters:
        known = {"jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"}
        unknown = [f for f in self.formats if f.lower() not in known]
        if unknown:
            raise ValueError(f"unknown formats {unknown}; use {sorted(known)}")
        if self.min_resolution is not None and min(self.min_resolution) < 0:
            raise ValueError("min_resolution must be positive")
        if self.aspect_ratio is not None and not 0 < self.aspect_ratio[0] <= self.aspect_ratio[1]:
            raise ValueError("aspect_ratio must be [min, max] with 0 < min <= max")
        return self


class CrawlJobCreate(Schema):
    project_id: str
    name: str | None = Field(default=None, max_length=200)
    engines: list[Engine] = Field(
        default_factory=list,
        description="Default: web for seeds, urls for url_list, openverse+wikimedia for keywords",
    )
    keywords: list[str] = Field(default_factory=list, max_length=50)
    seeds: list[AnyHttpUrl] = Field(
        default_factory=list,
        max_length=100,
        description="Pages, sitemaps or sitemap indexes (also .xml.gz), or a site's /robots.txt "
        "(the sitemaps it lists) to crawl from",
    )
    use_robots_sitemaps: bool = Field(
        default=False,
        description="Also crawl the sitemaps each seed's robots.txt lists (Sitemap: lines)",
    )
    allowed_domains: list[str] = Field(
        default_factory=list, max_length=50, description="Default: the seeds' own hosts"
    )
    max_depth: int = Field(default=2, ge=0, le=5)
    url_list: str | None = Field(
        default=None, max_length=900_000, description="Image URLs as text, CSV or JSON"
    )
    url_list_format: UrlListFormat = UrlListFormat.auto
    max_images: int = Field(default=1000, ge=1, le=1_000_000)
    pages_per_keyword: int = Field(default=1, ge=1, le=20)
    quality_filters: QualityFilters = Field(default_factory=QualityFilters)
    labels: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="The first is the label of images that bring none (keywords label their own)",
    )
    start: bool = Field(default=False, description="Start at once")


class CrawlJobError(Schema):
    url: str | None = Field(description="The seed, for a web chunk")
    engine: str
    chunk_id: str
    code: str = Field(
        description="SEED_REFUSED (the address is not public and not in "
        "FOLIO_CRAWLER_ALLOWED_HOSTS), SEED_UNREACHABLE (no connection, a 4xx/5xx answer, or an "
        "unreadable robots.txt), or the code of a failed search API call"
    )
    message: str | None


class CrawlJobRead(Schema):
    id: str
    project_id: str
    name: str | None
    engines: list[str]
    keywords: list[str]
    seeds: list[str]
    allowed_domains: list[str]
    max_depth: int
    max_images: int
    quality_filters: dict[str, Any] = Field(validation_alias="filters")
    labels: list[str]
    status: CrawlStatus
    error_code: str | None
    error_message: str | None
    errors: list[CrawlJobError] = Field(
        description="The chunks that failed (each failed seed with its code and message), "
        "at most 100; a job fails only when none of its chunks completed"
    )
    images_downloaded: int
    images_valid: int
    images_failed: int
    images_duplicate: int
    credits_used: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class CrawlProgress(Schema):
    job_id: str
    status: CrawlStatus
    progress: int = Field(description="Percent of chunks finished (or of max_images reached)")
    total_chunks: int
    active_chunks: int
    pending_chunks: int
    completed_chunks: int
    failed_chunks: int
    images_downloaded: int
    images_validated: int
    images_failed: int
    images_duplicate: int
    images_accepted: int = Field(description="Valid and not a duplicate: what datasets contain")
    credits_used: int
    error_code: str | None
    estimated_completion: datetime | None


class ChunkRead(Schema):
    id: str
    engine: str
    spec: dict[str, Any]
    status: str
    attempts: int
    candidates: int
    accepted: int
    error_code: str | None
    error_message: str | None
    started_at: datetime | None
    finished_at: datetime | None
