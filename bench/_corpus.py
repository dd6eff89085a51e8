"""Corpus files for the load benchmarks, and waiting for uploads to be processed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pypdfium2 as pdfium

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
UPLOADABLE = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt", ".csv", ".md"}
ONE_PAGE_PDF = CORPUS / "pypdf_sample_files" / "001-trivial" / "minimal-document.pdf"
FINAL = {"completed", "failed", "cancelled"}


def corpus_files(max_bytes: int = 5 * 1024 * 1024) -> list[Path]:
    """Every uploadable corpus file (ground-truth JSON and manifests left out)."""
    return sorted(
        path
        for path in CORPUS.rglob("*")
        if path.is_file()
        and path.suffix.lower() in UPLOADABLE
        and path.name not in ("README.md",)
        and path.stat().st_size <= max_bytes
    )


def small_text_pdfs(max_pages: int = 2, max_bytes: int = 300_000) -> list[Path]:
    """Corpus PDFs with a text layer and at most ``max_pages`` pages: quick to process."""
    chosen = []
    for path in sorted(CORPUS.rglob("*.pdf")):
        if path.stat().st_size > max_bytes:
            continue
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            continue
        try:
            pages = len(pdf)
            has_text = pages and all(
                len(pdf[i].get_textpage().get_text_range().strip()) > 50 for i in range(pages)
            )
        finally:
            pdf.close()
        if has_text and pages <= max_pages:
            chosen.append(path)
    return chosen


def upload(client: httpx.Client, path: Path, **data: str) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post("/api/v1/documents", files={"file": (path.name, handle)}, data=data)


def wait_processed(client: httpx.Client, document_ids: list[str], timeout_s: float) -> dict:
    """Polls until every document settled; returns {id: document}. Raises on timeout."""
    deadline = time.monotonic() + timeout_s
    settled: dict[str, dict] = {}
    pending = list(document_ids)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} documents not processed in {timeout_s} s")
        document = client.get(
            f"/api/v1/documents/{pending[0]}", params={"wait": min(30, timeout_s)}
        ).json()
        if document["status"] in FINAL:
            settled[pending.pop(0)] = document
    return settled
