"""``process_file``: sniff, extract (with OCR where needed), analyse, return a typed result."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

from folio.pipeline.errors import CorruptDocument, EmptyDocument, PipelineError, UnsupportedDocument
from folio.pipeline.formats import ExtractContext, Extraction
from folio.pipeline.formats.email import extract_email
from folio.pipeline.formats.html import extract_html
from folio.pipeline.formats.image import extract_image
from folio.pipeline.formats.office import extract_docx, extract_pptx, extract_xlsx
from folio.pipeline.formats.pdf import extract_pdf
from folio.pipeline.formats.text import extract_text
from folio.pipeline.ingest import kind_for_mime, sniff
from folio.pipeline.language import detect_language
from folio.pipeline.metadata import build_metadata
from folio.pipeline.ocr import OcrSession
from folio.pipeline.types import (
    DocumentKind,
    DocumentResult,
    NullProgress,
    PipelineOptions,
    ProgressListener,
)

logger = logging.getLogger(__name__)

Extractor = Callable[[ExtractContext], Extraction]

EXTRACTORS: dict[DocumentKind, Extractor] = {
    DocumentKind.pdf: extract_pdf,
    DocumentKind.image: extract_image,
    DocumentKind.docx: extract_docx,
    DocumentKind.xlsx: extract_xlsx,
    DocumentKind.pptx: extract_pptx,
    DocumentKind.text: extract_text,
    DocumentKind.html: extract_html,
    DocumentKind.email: extract_email,
}

# The libraries whose versions decide each kind's output (reported in engine_versions).
LIBRARIES: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.pdf: ("pypdfium2",),
    DocumentKind.image: ("pillow",),
    DocumentKind.docx: ("python-docx",),
    DocumentKind.xlsx: ("openpyxl",),
    DocumentKind.pptx: ("python-pptx",),
    DocumentKind.text: (),
    DocumentKind.html: ("selectolax",),
    DocumentKind.email: (),
}


def process_file(
    path: Path,
    options: PipelineOptions = PipelineOptions(),
    progress: ProgressListener = NullProgress(),
    *,
    filename: str | None = None,
    mime_type: str | None = None,
) -> DocumentResult:
    """Extract and analyse one document.

    ``mime_type``, when given, is the type :func:`sniff` returned at upload; sniffing is then
    skipped. Raises :class:`PipelineError` subclasses only: any other failure of a parser
    becomes :class:`CorruptDocument`, with a message that names no path.
    """
    try:
        return _process(path, options, _Relay(progress), filename, mime_type)
    except _ListenerFailed as failed:
        raise failed.error from None  # the caller's own listener failed (a cancelled job?)
    except (PipelineError, MemoryError):
        raise
    except Exception as exc:
        logger.info("document could not be parsed", exc_info=True)
        raise CorruptDocument("The document is damaged or could not be parsed") from exc


def _process(
    path: Path,
    options: PipelineOptions,
    progress: ProgressListener,
    filename: str | None,
    mime_type: str | None,
) -> DocumentResult:
    if path.stat().st_size == 0:
        raise EmptyDocument("The file is empty")
    if mime_type is None:
        mime_type = sniff(path, filename).mime_type
    mime_type = mime_type.split(";", 1)[0].strip().lower()
    kind = kind_for_mime(mime_type)
    if kind is None:
        raise UnsupportedDocument(f"Documents of type {mime_type} are not supported")
    warnings: list[str] = []
    ocr = OcrSession(options, warnings)
    ctx = ExtractContext(path, mime_type, options, progress, warnings, ocr)
    progress.stage("extraction")
    extraction = EXTRACTORS[kind](ctx)
    progress.stage("analysis")
    language = detect_language(extraction.pages)
    return DocumentResult(
        kind=kind,
        mime_type=mime_type,
        metadata=build_metadata(extraction.pages, extraction.properties, language),
        pages=extraction.pages,
        ocr=ocr.info(options.ocr),
        warnings=warnings,
        engine_versions=_engine_versions(kind, ocr),
    )


class _ListenerFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _Relay:
    """Passes progress on, marking the listener's own exceptions so they are not taken for a
    damaged document."""

    def __init__(self, listener: ProgressListener) -> None:
        self._listener = listener

    def stage(self, name: str) -> None:
        try:
            self._listener.stage(name)
        except Exception as exc:
            raise _ListenerFailed(exc) from exc

    def pages(self, done: int, total: int) -> None:
        try:
            self._listener.pages(done, total)
        except Exception as exc:
            raise _ListenerFailed(exc) from exc


def _engine_versions(kind: DocumentKind, ocr: OcrSession) -> dict[str, str]:
    versions = {name: _version(name) for name in LIBRARIES[kind]}
    versions.update(ocr.versions())
    return versions


@cache
def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
