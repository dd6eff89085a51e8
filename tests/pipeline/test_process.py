"""process_file() as the server, the worker and the CLI call it."""

from __future__ import annotations

import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import folio.pipeline as pipeline
from folio.pipeline import (
    CorruptDocument,
    DocumentKind,
    DocumentResult,
    EmptyDocument,
    OcrMode,
    PipelineError,
    PipelineOptions,
    UnsupportedDocument,
    process_file,
)
from folio.pipeline.ocr import tesseract

from .helpers import RecordingProgress, write

PUBLIC_API = [
    "sniff",
    "Sniffed",
    "process_file",
    "engines_available",
    "PipelineOptions",
    "Limits",
    "OcrMode",
    "OcrEngineName",
    "DocumentKind",
    "DocumentResult",
    "Page",
    "Word",
    "Metadata",
    "OcrInfo",
    "PageSource",
    "ProgressListener",
    "NullProgress",
    "PipelineError",
]


def test_public_api_is_importable() -> None:
    missing = [name for name in PUBLIC_API if not hasattr(pipeline, name)]
    assert missing == []
    assert set(PUBLIC_API) <= set(pipeline.__all__)


class TestRefusals:
    def test_empty_file(self, tmp_path: Path) -> None:
        with pytest.raises(EmptyDocument) as caught:
            process_file(write(tmp_path, "empty.txt", b""))
        assert caught.value.code == "EMPTY_FILE"

    def test_unsupported_type(self, tmp_path: Path) -> None:
        path = tmp_path / "archive.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.txt", "hello")
        with pytest.raises(UnsupportedDocument) as caught:
            process_file(path)
        assert caught.value.code == "UNSUPPORTED_MEDIA_TYPE"
        assert "application/zip" in caught.value.message

    def test_parser_failure_becomes_corrupt_document(self, tmp_path: Path) -> None:
        path = tmp_path / "secret-name.docx"
        with zipfile.ZipFile(path, "w") as archive:  # a ZIP that claims to be DOCX, badly
            archive.writestr("word/document.xml", "<not-xml")
        with pytest.raises(CorruptDocument) as caught:
            process_file(path)
        assert caught.value.code == "CORRUPT_DOCUMENT"
        assert "secret-name" not in caught.value.message
        assert str(tmp_path) not in caught.value.message
        assert caught.value.__cause__ is not None  # the original stays available for logs

    def test_all_errors_are_pipeline_errors(self) -> None:
        for error in (CorruptDocument, EmptyDocument, UnsupportedDocument):
            assert issubclass(error, PipelineError)


class TestCalling:
    def test_mime_type_from_upload_skips_sniffing(self, tmp_path: Path) -> None:
        path = write(tmp_path, "blob", b"name,amount\nalpha,1\n")
        result = process_file(path, mime_type="text/csv")
        assert (result.kind, result.mime_type) == (DocumentKind.text, "text/csv")

    def test_unknown_mime_type_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, "blob", b"hello")
        with pytest.raises(UnsupportedDocument):
            process_file(path, mime_type="application/x-msdownload")

    def test_filename_refines_text(self, tmp_path: Path) -> None:
        path = write(tmp_path, "blob", b"# Title\n\nBody text here.\n")
        assert process_file(path, filename="notes.md").mime_type == "text/markdown"

    def test_progress_for_native_formats(self, docx_file: Path) -> None:
        progress = RecordingProgress()
        process_file(docx_file, progress=progress)
        assert progress.events == [
            ("stage", "extraction"),
            ("pages", (1, 1)),
            ("stage", "analysis"),
        ]

    def test_result_serializes_to_json(self, corpus: Path) -> None:
        path = corpus / "invoice2data/tests/compare/AzureInterior.pdf"
        result = process_file(path, PipelineOptions(ocr=OcrMode.off))
        payload = json.loads(result.model_dump_json())
        assert payload["kind"] == "pdf"
        assert payload["pages"][0]["words"][0]["bbox"] == list(result.pages[0].words[0].bbox)
        assert DocumentResult.model_validate(payload) == result
        assert result.engine_versions["pypdfium2"]

    def test_text_joins_pages_with_form_feeds(self, corpus: Path) -> None:
        path = corpus / "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
        result = process_file(path, PipelineOptions(ocr=OcrMode.off))
        assert result.text.count("\f") == 3


def test_ocr_engine_is_loaded_once_per_process() -> None:
    assert tesseract.load_engine("eng") is tesseract.load_engine("eng")
    assert tesseract.load_orientation_detector() is tesseract.load_orientation_detector()


def test_threads_share_pdfium_safely(corpus: Path) -> None:
    """PDFium is not thread-safe; concurrent callers must still get sequential results."""
    paths = sorted((corpus / "invoice2data/tests/compare").glob("*.pdf"))
    options = PipelineOptions(ocr=OcrMode.off)
    sequential = [process_file(path, options).text for path in paths]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda path: process_file(path, options).text, paths * 3))
    assert concurrent == sequential * 3


class Cancelled(Exception):
    pass


class CancellingProgress:
    def stage(self, name: str) -> None:
        return None

    def pages(self, done: int, total: int) -> None:
        raise Cancelled(f"stop after page {done}")


def test_listener_exceptions_reach_the_caller_unchanged(corpus: Path) -> None:
    path = corpus / "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
    with pytest.raises(Cancelled, match="stop after page 1"):
        process_file(path, PipelineOptions(ocr=OcrMode.off), CancellingProgress())
