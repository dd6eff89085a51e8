"""The pipeline's safety limits from the settings: one source for the worker pool and for
zero-retention processing."""

from __future__ import annotations

from folio.config import Settings
from folio.pipeline import Limits


def pipeline_limits(settings: Settings, *, max_pages: int | None = None) -> Limits:
    """``max_pages``: a lower page limit than the server's, for a stricter caller."""
    pages = settings.max_pages if max_pages is None else min(max_pages, settings.max_pages)
    return Limits(
        max_pages=pages,
        max_image_pixels=settings.max_image_pixels,
        max_decompression_ratio=settings.max_decompression_ratio,
        ocr_dpi=settings.ocr_dpi,
        max_unpacked_ratio=settings.max_unpacked_ratio,
        unpacked_floor_bytes=settings.unpacked_floor_mb * 1024 * 1024,
        max_nesting_depth=settings.max_nesting_depth,
    )
