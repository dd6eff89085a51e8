from __future__ import annotations

from datetime import datetime

from pydantic import Field

from folio.core.schemas import Schema


class ImageRead(Schema):
    id: str
    project_id: str
    job_id: str
    source: str
    source_url: str
    final_url: str | None
    page_url: str | None
    found_in: str
    alt_text: str | None
    title: str | None
    label: str | None
    license: str | None
    license_url: str | None
    creator: str | None
    attribution: str | None
    is_valid: bool
    rejection_reason: str | None = Field(
        description="Why the image was not kept: robots_disallowed, noai, refused_address (not "
        "a public address and not in FOLIO_CRAWLER_ALLOWED_HOSTS), unreachable (no connection, "
        "or its site's robots.txt cannot be read), download_failed, too_large, not_an_image, "
        "format_not_allowed, corrupt, truncated, too_many_pixels, too_small, aspect_ratio"
    )
    rejection_message: str | None
    is_duplicate: bool
    duplicate_kind: str | None
    duplicate_of: str | None
    duplicate_distance: int | None
    sha256: str | None
    phash: str | None
    width: int | None
    height: int | None
    format: str | None
    source_format: str | None
    bytes: int | None
    created_at: datetime
