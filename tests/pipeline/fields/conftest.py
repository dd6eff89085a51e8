"""Fixtures for the template-field tests: corpus documents processed once, and synthetic sale
deeds (the corpus has none) rendered to real PDFs with reportlab."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from folio.pipeline import DocumentResult, PipelineOptions, process_file

from .sale_deeds import DEEDS, render_deed_pdf

CORPUS = Path(os.environ.get("FOLIO_CORPUS", Path(__file__).resolve().parents[4] / "shared/corpus"))
INVOICES = CORPUS / "invoice2data/tests/compare"
SROIE = CORPUS / "sroie/data"
PHOTOTEST = CORPUS / "tesseract_test/testing/phototest.tif"
OLMOCR_PDFS = CORPUS / "olmocr_bench/olmocr/bench/sample_data/pdfs"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS} (set FOLIO_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def processed(corpus: Path) -> dict[Path, DocumentResult]:
    """A cache: each corpus file is processed at most once per session."""
    return {}


@pytest.fixture(scope="session")
def process(processed: dict[Path, DocumentResult]):
    def run(path: Path, options: PipelineOptions | None = None) -> DocumentResult:
        if path not in processed:
            processed[path] = process_file(path, options or PipelineOptions())
        return processed[path]

    return run


@pytest.fixture(scope="session")
def deed_pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("deeds")
    return [render_deed_pdf(deed, folder / f"deed_{i}.pdf") for i, deed in enumerate(DEEDS)]


@pytest.fixture(scope="session")
def deed_results(deed_pdfs: list[Path]) -> list[DocumentResult]:
    return [process_file(path, PipelineOptions()) for path in deed_pdfs]
