"""olmOCR-bench text checks on the shared corpus: raw text layer, Folio's text, Folio's Markdown.

    python bench/olmocr.py [--quick]

Scores the ``present``, ``absent`` and ``order`` checks of olmOCR-bench's sample
``dataset.jsonl`` (headers and footers that must be gone, sentences that must be there, text
blocks that must read in order) for three outputs of the same pages, in one run:

- ``pypdfium2 text layer``: the raw ``FPDFText`` page text (the anchor; empty on scans),
- ``Folio text``: the page text Folio stores and serves at ``GET /documents/{id}/text``,
- ``Folio Markdown``: the page's blocks from ``folio.pipeline.structure`` rendered as Markdown
  (furniture left out, columns in reading order), as ``GET /documents/{id}/markdown`` serves.

Matching follows the bench: whitespace, quotes and dashes normalised, Markdown emphasis
dropped; a ``present``/``absent`` text matches within ``max_diffs`` edits (Levenshtein, as in
tests/pipeline/test_olmocr.py, where the bench uses rapidfuzz's ratio), ``first_n``/``last_n``
restrict the search; an ``order`` check passes when some match of ``before`` starts before
some match of ``after``. ``table`` and ``math`` checks are not scored (no text-layer property).
Folio runs with its defaults (OCR in auto mode, so the scanned letter is OCR'd); ``--quick``
turns OCR off. The figures are also printed for two halves of the PDFs (alternating by name),
to show how much they move between documents. Writes bench/results/olmocr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.structure.blocks import DocumentStructure, document_structure
from folio.pipeline.structure.markdown import render_markdown

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
BENCH = CORPUS / "olmocr_bench/olmocr/bench/sample_data"
RESULTS = REPO / "bench" / "results" / "olmocr.json"
TYPES = ("present", "absent", "order")
REPLACEMENTS = str.maketrans(  # the bench's list: curly quotes, dashes, micro sign, nbsp
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
     "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-",
     "\u00b5": "\u03bc", "\u00a0": " "}
)  # fmt: skip


def normalize(text: str) -> str:
    text = re.sub(r"<br/?>", " ", text)
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    text = re.sub(r"(\*|_)(.*?)\1", r"\2", text)
    text = text.replace("\\", "")  # Markdown escapes
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return text.translate(REPLACEMENTS)


def match_ends(needle: str, haystack: str, max_diffs: int) -> list[int]:
    """End offsets of substrings of ``haystack`` within ``max_diffs`` edits of ``needle``."""
    if max_diffs == 0:
        ends, at = [], haystack.find(needle)
        while at >= 0:
            ends.append(at + len(needle))
            at = haystack.find(needle, at + 1)
        return ends
    previous = [0] * (len(haystack) + 1)  # Sellers: a match may start anywhere
    for row, char in enumerate(needle, start=1):
        current = [row] + [0] * len(haystack)
        for column, other in enumerate(haystack, start=1):
            current[column] = min(
                previous[column] + 1,
                current[column - 1] + 1,
                previous[column - 1] + (char != other),
            )
        previous = current
    return [end for end, cost in enumerate(previous) if cost <= max_diffs]


def match_starts(needle: str, haystack: str, max_diffs: int) -> list[int]:
    ends = match_ends(needle[::-1], haystack[::-1], max_diffs)
    return [len(haystack) - end for end in ends]


def run_check(check: dict[str, Any], text: str) -> bool:
    text = normalize(text)
    diffs = int(check.get("max_diffs") or 0)
    if check["type"] == "order":
        before = match_starts(normalize(check["before"]), text, diffs)
        after = match_starts(normalize(check["after"]), text, diffs)
        return bool(before and after) and min(before) < max(after)
    first_n, last_n = check.get("first_n"), check.get("last_n")
    if first_n and last_n:
        text = text[:first_n] + text[-last_n:]
    elif first_n:
        text = text[:first_n]
    elif last_n:
        text = text[-last_n:]
    needle = normalize(check["text"])
    found = bool(match_ends(needle, text, diffs)) if text.strip() else False
    return found if check["type"] == "present" else not found


def raw_layer(pdf: Path, page: int) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[page - 1].get_textpage()
        return str(textpage.get_text_range())
    finally:
        document.close()


class Folio:
    """One processing per PDF, shared by the text and the Markdown outputs."""

    def __init__(self, options: PipelineOptions) -> None:
        self.options = options
        self.cache: dict[Path, tuple[list[str], DocumentStructure]] = {}
        self.seconds = 0.0
        self.structure_seconds = 0.0

    def load(self, pdf: Path) -> tuple[list[str], DocumentStructure]:
        if pdf not in self.cache:
            started = time.perf_counter()
            result = process_file(pdf, self.options)
            middle = time.perf_counter()
            structure = document_structure(result)
            self.seconds += middle - started
            self.structure_seconds += time.perf_counter() - middle
            self.cache[pdf] = ([page.text for page in result.pages], structure)
        return self.cache[pdf]

    def text(self, pdf: Path, page: int) -> str:
        return self.load(pdf)[0][page - 1]

    def markdown(self, pdf: Path, page: int) -> str:
        structure = self.load(pdf)[1]
        blocks = [block for block in structure.blocks if block.page == page]
        return render_markdown(DocumentStructure(blocks=blocks))


def score(
    checks: list[dict[str, Any]], output: Callable[[Path, int], str]
) -> dict[str, dict[str, int]]:
    tally: dict[str, dict[str, int]] = defaultdict(lambda: {"passed": 0, "total": 0})
    for check in checks:
        passed = run_check(check, output(BENCH / "pdfs" / check["pdf"], int(check["page"])))
        for key in (check["type"], "all"):
            tally[key]["total"] += 1
            tally[key]["passed"] += passed
    return dict(tally)


def rate(tally: dict[str, dict[str, int]], key: str) -> str:
    entry = tally.get(key)
    if not entry or not entry["total"]:
        return "-"
    return f"{entry['passed'] / entry['total']:.3f} ({entry['passed']}/{entry['total']})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="OCR off (text layers only)")
    args = parser.parse_args()
    listing = BENCH / "dataset.jsonl"
    if not listing.is_file():
        sys.exit(f"olmOCR-bench sample data not found at {BENCH}")
    checks = [json.loads(line) for line in listing.read_text().splitlines() if line.strip()]
    checks = [check for check in checks if check["type"] in TYPES]
    folio = Folio(PipelineOptions(ocr=OcrMode.off if args.quick else OcrMode.auto))
    systems: dict[str, Callable[[Path, int], str]] = {
        "pypdfium2 text layer": raw_layer,
        "Folio text": folio.text,
        "Folio Markdown": folio.markdown,
    }
    pdfs = sorted({check["pdf"] for check in checks})
    halves = {name: {pdf for i, pdf in enumerate(pdfs) if i % 2 == half}
              for half, name in enumerate(("half A", "half B"))}  # fmt: skip
    report: dict[str, Any] = {"checks": len(checks), "pdfs": len(pdfs), "systems": {}}
    print(f"olmOCR-bench sample: {len(checks)} present/absent/order checks on {len(pdfs)} PDFs")
    header = f"{'output':<22}{'all':>16}{'present':>16}{'absent':>16}{'order':>16}"
    print(header + f"{'half A':>16}{'half B':>16}")
    for name, output in systems.items():
        tally = score(checks, output)
        parts = {half: score([c for c in checks if c["pdf"] in members], output)
                 for half, members in halves.items()}  # fmt: skip
        row = [rate(tally, key) for key in ("all", *TYPES)]
        row += [rate(parts[half], "all") for half in halves]
        print(f"{name:<22}" + "".join(f"{cell:>16}" for cell in row))
        report["systems"][name] = {"overall": tally, **{h: p["all"] for h, p in parts.items()}}
    print(
        f"Folio processing {folio.seconds:.2f} s, structure (furniture, order, blocks) "
        f"{folio.structure_seconds:.3f} s for {len(pdfs)} PDFs"
    )
    report.update(
        quick=args.quick,
        processing_seconds=round(folio.seconds, 3),
        structure_seconds=round(folio.structure_seconds, 4),
        python=platform.python_version(),
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
