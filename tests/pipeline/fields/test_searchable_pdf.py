"""Searchable PDF: original pages plus an invisible OCR text layer at the word boxes."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.fields.exports import write_searchable_pdf

from .conftest import PHOTOTEST

pytestmark = pytest.mark.ocr


def _text_and_box(pdf_path: Path, word: str) -> tuple[str, tuple[float, float, float, float]]:
    page = pdfium.PdfDocument(pdf_path)[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    index = text.index(word)
    boxes = [textpage.get_charbox(i) for i in range(index, index + len(word))]
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    height = page.get_height()
    return text, (left, height - top, right, height - bottom)  # top-left origin


def _close(a: tuple, b: tuple, tolerance: float) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_image_becomes_searchable(corpus: Path, tmp_path: Path) -> None:
    result = process_file(PHOTOTEST, PipelineOptions())
    out = tmp_path / "phototest.pdf"
    assert write_searchable_pdf(PHOTOTEST, result, out) == 1
    text, box = _text_and_box(out, "quick")
    for word in ("This is a lot of 12 point text", "quick brown dog", "lazy fox"):
        assert word in text
    word = next(w for w in result.pages[0].words if w.text == "quick")
    scale = 72 / 200  # phototest.tif is 200 dpi
    assert _close(box, tuple(v * scale for v in word.bbox), tolerance=4)
    page = pdfium.PdfDocument(out)[0]
    assert page.get_width() == pytest.approx(640 * scale, abs=0.5)


def test_scanned_pdf_keeps_its_pages(corpus: Path, tmp_path: Path) -> None:
    scanned = tmp_path / "scan.pdf"
    Image.open(PHOTOTEST).convert("RGB").save(scanned, resolution=200.0)
    result = process_file(scanned, PipelineOptions(ocr=OcrMode.force))
    out = tmp_path / "searchable.pdf"
    assert write_searchable_pdf(scanned, result, out) == 1
    text, _ = _text_and_box(out, "jumped")
    assert "The quick brown dog jumped over the" in text
    with pikepdf.open(scanned) as before, pikepdf.open(out) as after:
        assert len(after.pages) == len(before.pages)
        assert list(after.pages[0].mediabox) == list(before.pages[0].mediabox)
        assert len(after.pages[0].get_images()) == len(before.pages[0].get_images()) == 1
