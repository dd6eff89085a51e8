"""olmOCR-bench checks on the PDFs that have a text layer.

Every check in dataset.jsonl is either asserted here or excluded below with its reason, and a
test proves that nothing falls between the two. Matching follows the bench: normalised
whitespace and quotes, and up to ``max_diffs`` edits (Levenshtein) inside the page text.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from folio.pipeline import OcrMode, PipelineOptions, process_file

from .conftest import CORPUS

BENCH = CORPUS / "olmocr_bench/olmocr/bench/sample_data"
OFF = PipelineOptions(ocr=OcrMode.off)

EXCLUDED_TYPES = {
    "absent": "tests header/footer/margin removal; the pipeline returns the whole text layer",
    "order": "tests reading order across columns; the pipeline keeps PDFium's content order",
    "table": "tests table structure recovery; the pipeline extracts text, not tables",
    "math": "tests LaTeX rendering of equations; not a text-layer property",
}
EXCLUDED_IDS = {
    "lincoln_letter_minediff_00": "handwritten scan without a text layer (OCR, not text layer)",
    "lincoln_letter_minediff_01": "handwritten scan without a text layer (OCR, not text layer)",
    "lincoln_letter_minediff_03": "handwritten scan without a text layer (OCR, not text layer)",
    "small_page_size_00": "the file's own (OCR) text layer reads 'live-fold' for 'five-fold'",
}
LSQUO, RSQUO, LDQUO, RDQUO = "\u2018", "\u2019", "\u201c", "\u201d"
QUOTES = str.maketrans(
    {LSQUO: "'", RSQUO: "'", LDQUO: '"', RDQUO: '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)


def load_checks() -> list[dict[str, object]]:
    listing = BENCH / "dataset.jsonl"
    if not listing.is_file():
        return []
    return [json.loads(line) for line in listing.read_text().splitlines() if line.strip()]


def selected_checks() -> list[dict[str, object]]:
    return [
        check
        for check in load_checks()
        if check["type"] not in EXCLUDED_TYPES and check["id"] not in EXCLUDED_IDS
    ]


def normalize(text: str) -> str:
    for pair in (LSQUO * 2, RSQUO * 2, "``", "''"):  # LaTeX-style double quotes
        text = text.replace(pair, '"')
    return " ".join(text.translate(QUOTES).split())


@cache
def page_text(pdf: str, page: int) -> str:
    result = process_file(BENCH / "pdfs" / pdf, OFF)
    return normalize(result.pages[page - 1].text)


def fuzzy_contains(haystack: str, needle: str, max_diffs: int) -> bool:
    """Is there a substring of ``haystack`` within ``max_diffs`` edits of ``needle``?"""
    if needle in haystack:
        return True
    if max_diffs == 0:
        return False
    previous = [0] * (len(haystack) + 1)  # Sellers: free start anywhere in the haystack
    for row, char in enumerate(needle, start=1):
        current = [row] + [0] * len(haystack)
        for column, other in enumerate(haystack, start=1):
            current[column] = min(
                previous[column] + 1,
                current[column - 1] + 1,
                previous[column - 1] + (char != other),
            )
        previous = current
    return min(previous) <= max_diffs


@pytest.mark.parametrize("check", selected_checks(), ids=lambda check: str(check["id"]))
def test_present(corpus: Path, check: dict[str, object]) -> None:
    assert check["type"] == "present"
    text = page_text(str(check["pdf"]), int(str(check["page"])))
    needle = normalize(str(check["text"]))
    assert fuzzy_contains(text, needle, int(str(check.get("max_diffs") or 0))), needle


def test_every_check_is_asserted_or_excluded_with_a_reason(corpus: Path) -> None:
    checks = load_checks()
    assert len(checks) >= 50
    selected = {check["id"] for check in selected_checks()}
    excluded = {
        check["id"]
        for check in checks
        if check["type"] in EXCLUDED_TYPES or check["id"] in EXCLUDED_IDS
    }
    assert selected | excluded == {check["id"] for check in checks}
    assert not selected & excluded
    assert set(EXCLUDED_IDS) <= {check["id"] for check in checks}
    assert len(selected) == 10


def test_selected_pdfs_have_a_text_layer(corpus: Path) -> None:
    for pdf in {str(check["pdf"]) for check in selected_checks()}:
        result = process_file(BENCH / "pdfs" / pdf)  # auto mode: must not need OCR
        assert result.ocr.pages_ocr == 0, pdf
