"""Bad and odd files: a DocumentResult or a PipelineError, never another exception or a hang."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest

from folio.pipeline import (
    DocumentResult,
    Limits,
    OcrMode,
    PageSource,
    PipelineError,
    PipelineOptions,
    process_file,
)

from .conftest import CORPUS
from .helpers import assert_consistent, write

# OCR at screen resolution: the robustness set exercises the OCR path without its cost.
CHEAP_AUTO = PipelineOptions(ocr=OcrMode.auto, limits=Limits(ocr_dpi=72))
PDFPLUMBER = CORPUS / "pdfplumber/tests/pdfs"


def pdfplumber_files() -> list[Path]:
    return sorted(PDFPLUMBER.glob("*.pdf")) if PDFPLUMBER.is_dir() else []


def outcome(path: Path, options: PipelineOptions) -> DocumentResult | PipelineError:
    try:
        result = process_file(path, options)
    except PipelineError as error:
        assert error.code.isupper()
        assert str(path) not in error.message
        return error
    assert_consistent(result)
    return result


@cache
def pdfplumber_outcome(path: Path) -> DocumentResult | PipelineError:
    return outcome(path, CHEAP_AUTO)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", pdfplumber_files(), ids=lambda path: path.name)
def test_pdfplumber_set(corpus: Path, path: Path) -> None:
    assert isinstance(pdfplumber_outcome(path), DocumentResult | PipelineError)


def test_pdfplumber_set_is_there(corpus: Path) -> None:
    assert len(pdfplumber_files()) == 15


def test_scanned_pdfplumber_file_is_ocred_in_auto_mode(corpus: Path) -> None:
    scanned = pdfplumber_outcome(PDFPLUMBER / "issue-203-decimalize.pdf")  # a Chinese scan
    assert isinstance(scanned, DocumentResult)
    assert scanned.ocr.pages_ocr == 3
    assert {page.source for page in scanned.pages} == {PageSource.ocr}


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "relative",
    [
        "pypdf_sample_files/001-trivial/minimal-document.pdf",
        "invoice2data/tests/compare/AmazonWebServices.pdf",
        "pdfplumber/tests/pdfs/cupertino_usd_4-6-16.pdf",
    ],
)
def test_damaged_copies(corpus: Path, tmp_path: Path, relative: str) -> None:
    """Bytes overwritten at random (fixed seed): damaged, but never an unhandled failure."""
    original = (corpus / relative).read_bytes()
    generator = random.Random(relative)
    for attempt in range(12):
        data = bytearray(original)
        for _ in range(20):
            data[generator.randrange(len(data))] = generator.randrange(256)
        path = write(tmp_path, f"damaged-{attempt}.pdf", bytes(data))
        outcome(path, PipelineOptions(ocr=OcrMode.off))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40),
        ("header-only.pdf", b"%PDF-1.4\n"),
        ("not-really.docx", b"PK\x03\x04" + b"\x00" * 200),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100),
        ("nul.txt", b"\x00" * 64),
        ("binary.bin", bytes(range(256)) * 16),
    ],
)
def test_malformed_inputs(tmp_path: Path, name: str, data: bytes) -> None:
    outcome(write(tmp_path, name, data), PipelineOptions())
