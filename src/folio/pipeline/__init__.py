"""Folio's document-extraction library: a file plus options in, a typed result out.

Pure library: imports nothing from the web, database or worker code. OCR engines and the
language model load lazily, once per process.

Where things are:

- ``process`` (``process_file``): sniff (``ingest``), read the format, OCR, metadata.
- ``formats/``: one module per file format (PDF, Office, email, HTML, image, text) → pages.
- ``ocr/``: Tesseract and RapidOCR engines.
- ``structure/``: page furniture, column reading order, headings, lists and tables from word
  boxes; Markdown and retrieval chunks.
- ``language``, ``metadata``: the document's language and its metadata record.
- ``dates``, ``checksums``: dates and checksummed identifiers, read alike by the two below.
- ``fields/``: templates of typed fields (locators, anchors, tables, validation, exports).
- ``intelligence/``: classification, entities, PII, security, compliance, summaries, redaction;
  ``intelligence.run.analyze`` runs the enabled ones on one document.
"""

from folio.pipeline.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    ImageTooLarge,
    OcrUnavailable,
    PasswordRequired,
    PipelineError,
    TooManyPages,
    UnsupportedDocument,
    WrongPassword,
)
from folio.pipeline.ingest import Sniffed, sniff
from folio.pipeline.ocr import engines_available
from folio.pipeline.process import process_file
from folio.pipeline.types import (
    DocumentKind,
    DocumentResult,
    Limits,
    Metadata,
    NullProgress,
    OcrEngineName,
    OcrInfo,
    OcrMode,
    Page,
    PageSource,
    PipelineOptions,
    ProgressListener,
    Word,
)

__all__ = [
    "CorruptDocument",
    "DocumentKind",
    "DocumentResult",
    "DocumentTooLarge",
    "EmptyDocument",
    "ImageTooLarge",
    "Limits",
    "Metadata",
    "NullProgress",
    "OcrEngineName",
    "OcrInfo",
    "OcrMode",
    "OcrUnavailable",
    "Page",
    "PageSource",
    "PasswordRequired",
    "PipelineError",
    "PipelineOptions",
    "ProgressListener",
    "Sniffed",
    "TooManyPages",
    "UnsupportedDocument",
    "Word",
    "WrongPassword",
    "engines_available",
    "process_file",
    "sniff",
]
