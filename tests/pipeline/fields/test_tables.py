"""Tables from word boxes: a real scientific table (olmOCR bench), a financial statement, and
an OCR'd page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.fields import find_tables

from .conftest import CORPUS, OLMOCR_PDFS


def _checks(pdf: str) -> list[dict]:
    lines = (CORPUS / "olmocr_bench/olmocr/bench/sample_data/dataset.jsonl").read_text()
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    return [r for r in rows if r["pdf"] == pdf and r["type"] == "table"]


def test_scientific_table_cells_and_neighbours(corpus: Path, process) -> None:
    tables = find_tables(process(OLMOCR_PDFS / "discoverworld_crazy_table4.pdf"))
    big = max(tables, key=lambda t: t.n_rows * t.n_columns)
    assert big.n_columns == 12 and big.n_rows >= 30
    grid = big.grid()
    assert big.header() == [
        "#",
        "Topic",
        "Task",
        "Procedure",
        "Completion",
        "Knowledge",
        "Procedure",
        "Completion",
        "Knowledge",
        "Procedure",
        "Completion",
        "Knowledge",
    ]
    checks = [c for c in _checks("discoverworld_crazy_table4.pdf") if "left" in c]
    assert checks
    for check in checks:  # the cell to the left, as the human-written checks say
        hits = [
            (r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v == check["cell"]
        ]
        assert any(c > 0 and check["left"] in grid[r][c - 1] for r, c in hits), check


def test_cells_have_boxes_inside_the_table(corpus: Path, process) -> None:
    tables = find_tables(process(OLMOCR_PDFS / "earnings.pdf"))
    table = next(t for t in tables if any("Research and development" in c.text for c in t.cells))
    row = next(r for r in table.grid() if r[0] == "Research and development")
    assert [v for v in row if v] == ["Research and development", "3,423", "2,532", "1,892"]
    x0, y0, x1, y1 = table.bbox
    for cell in table.cells:
        assert cell.bbox is not None
        assert x0 <= cell.bbox[0] <= cell.bbox[2] <= x1 and y0 <= cell.bbox[1] <= y1


@pytest.mark.ocr
def test_table_on_an_ocr_page(corpus: Path, tmp_path: Path) -> None:
    """The same statement rendered to an image and OCR'd gives the same rows."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(OLMOCR_PDFS / "earnings.pdf")[0]
    image: Image.Image = page.render(scale=200 / 72).to_pil()
    path = tmp_path / "earnings.png"
    image.save(path)
    result = process_file(path, PipelineOptions(ocr=OcrMode.force))
    rows = [r for t in find_tables(result) for r in t.grid()]
    row = next(r for r in rows if r and "Research" in r[0])
    assert [v for v in row if v][1:] == ["3,423", "2,532", "1,892"]
