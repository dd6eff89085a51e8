"""File formats: one module per format, each turning a file into pages plus document properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from folio.pipeline.errors import TooManyPages
from folio.pipeline.ocr import OcrSession
from folio.pipeline.types import Page, PipelineOptions, ProgressListener


@dataclass
class Properties:
    """What the format itself says about the document (all optional)."""

    title: str | None = None
    author: str | None = None
    subject: str | None = None
    creator: str | None = None
    producer: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    encrypted: bool = False
    has_forms: bool = False
    has_attachments: bool = False


@dataclass
class Extraction:
    pages: list[Page]
    properties: Properties = field(default_factory=Properties)


@dataclass
class ExtractContext:
    path: Path
    mime_type: str
    options: PipelineOptions
    progress: ProgressListener
    warnings: list[str]
    ocr: OcrSession

    def check_page_count(self, count: int, what: str = "pages") -> None:
        """Raise :class:`TooManyPages` before any per-page work."""
        limit = self.options.limits.max_pages
        if count > limit:
            raise TooManyPages(f"The document has {count} {what}; the limit is {limit}")

    def report_pages(self, pages: list[Page]) -> None:
        """Progress for formats whose pages all appear at once."""
        total = len(pages)
        for done in range(1, total + 1):
            self.progress.pages(done, total)


def clean_field(value: object) -> str | None:
    """A metadata string stripped of whitespace and NULs; ``None`` when empty."""
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None
