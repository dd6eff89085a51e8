"""Typed inputs and outputs of the pipeline library.

Coordinates: every box is ``[x0, y0, x1, y1]`` in the page's own unit (``pt`` for PDF pages,
``px`` for images and rendered pages), origin at the top-left corner of the page *as displayed*
(after applying the page's rotation). Word ``start``/``end`` are character offsets into that
page's ``text``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class OcrMode(StrEnum):
    auto = "auto"
    force = "force"
    off = "off"


class OcrEngineName(StrEnum):
    auto = "auto"  # per page: RapidOCR for photos, Tesseract for clean scans (ocr/auto.py)
    tesseract = "tesseract"
    rapidocr = "rapidocr"


class DocumentKind(StrEnum):
    pdf = "pdf"
    image = "image"
    docx = "docx"
    xlsx = "xlsx"
    pptx = "pptx"
    text = "text"
    html = "html"
    email = "email"


class PageSource(StrEnum):
    text_layer = "text_layer"
    ocr = "ocr"
    native = "native"  # office, text, html, e-mail: text read from the format itself


class Limits(BaseModel):
    """Safety limits; the server passes its configuration, the CLI the defaults."""

    model_config = ConfigDict(frozen=True)

    max_pages: int = 2000
    max_image_pixels: int = 89_478_485  # Pillow's default bomb threshold
    max_decompression_ratio: float = 200.0
    ocr_dpi: int = 300
    max_render_pixels: int = 60_000_000
    max_unpacked_bytes: int = 512 * 1024 * 1024  # office files: total size of the unzipped parts
    # ... and at most this many times the file's size, or the floor for small files
    max_unpacked_ratio: float = 100.0
    unpacked_floor_bytes: int = 10 * 1024 * 1024
    max_nesting_depth: int = 1000  # HTML elements, checked before parsing


class PipelineOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    ocr: OcrMode = OcrMode.auto
    ocr_engine: OcrEngineName = OcrEngineName.auto
    languages: tuple[str, ...] = ()  # ISO 639-1 hints, e.g. ("en", "de")
    password: str | None = None
    limits: Limits = Field(default_factory=Limits)


class Word(BaseModel):
    text: str
    bbox: tuple[float, float, float, float]
    start: int
    end: int
    confidence: float | None = None  # 0..100, OCR only


class Page(BaseModel):
    number: int  # 1-based
    width: float
    height: float
    unit: str  # "pt" or "px"
    rotation: int = 0  # degrees applied to reach the displayed orientation
    source: PageSource
    text: str
    words: list[Word] = Field(default_factory=list)
    ocr_confidence: float | None = None


class OcrInfo(BaseModel):
    mode: OcrMode
    engine: OcrEngineName | None = None
    engine_version: str | None = None
    pages_ocr: int = 0
    mean_confidence: float | None = None


class Metadata(BaseModel):
    page_count: int
    word_count: int
    char_count: int
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
    language: str | None = None  # ISO 639-1
    language_confidence: float | None = None


class DocumentResult(BaseModel):
    kind: DocumentKind
    mime_type: str
    metadata: Metadata
    pages: list[Page]
    ocr: OcrInfo
    warnings: list[str] = Field(default_factory=list)
    engine_versions: dict[str, str] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\f".join(page.text for page in self.pages)


class ProgressListener(Protocol):
    """Receives progress while a document is processed. Calls must be cheap."""

    def stage(self, name: str) -> None:
        """A stage starts: ``"extraction"`` or ``"analysis"``."""

    def pages(self, done: int, total: int) -> None:
        """``done`` of ``total`` pages are extracted."""


class NullProgress:
    def stage(self, name: str) -> None:
        return None

    def pages(self, done: int, total: int) -> None:
        return None
