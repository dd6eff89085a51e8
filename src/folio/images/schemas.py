from __future__ import annotations

from datetime import datetime

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
    rejection_reason: str | None
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
