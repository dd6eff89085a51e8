"""OCR accuracy and speed per engine on the shared corpus, side by side in one run.

    python bench/ocr.py [--quick] [--engines tesseract,rapidocr,auto]

Sets: ``sroie`` (receipt photos; truth = the text column of ``box/*.csv``, lines joined in file
order), ``tesseract_test`` (two clean page scans with ``.txt`` truth), the scanned pages of
``olmocr_bench`` (no text layer; scored by their ``present`` checks, and timed), and
``rendered_pages``: pages full of text from the corpus's text-layer PDFs, rendered at 300 dpi
(truth: the text layer, in its own order: word F1 is the fairer figure on columns and tables).

Every engine reads each file through ``process_file`` (what a user gets), one after the other on
the same file, so all see the same machine load. ``rapidocr_raw`` is RapidOCR's own output, its
lines joined in the engine's order: the baseline for Folio's reading order (images only).
``tesseract_one_reader`` is Tesseract's engine call alone on the whole page, on one core (images
only): the baseline for Folio's two readers, which share a large page of single-column text.

- CER: both texts lower-cased, every whitespace run made one space, ends stripped; CER of a set =
  sum of Levenshtein distances / sum of truth lengths (micro average); ``cer_mean`` is the mean
  of the per-file ratios.
- word F1: bags (multisets) of the same lower-cased whitespace tokens; precision = common /
  read, recall = common / truth, summed over the set.
- seconds per page: wall clock of ``process_file``, and CPU seconds of the process (all threads),
  which depend less on what else the machine runs.
- folds: files of a set numbered in name order; fold ``even`` and fold ``odd``. The auto
  policy's confidence threshold is tuned on one fold and scored on the other, both ways,
  replaying the choice AutoEngine makes on the Tesseract and RapidOCR readings made here (pages
  up to the policy's size are RapidOCR's: that bound is a cost, not tuned).

Prints a table; writes bench/results/ocr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from folio.pipeline import (
    DocumentResult,
    OcrEngineName,
    PipelineOptions,
    engines_available,
    process_file,
)
from folio.pipeline.ocr import rapid, tesseract
from folio.pipeline.ocr.auto import (
    POLICY,
    AutoPolicy,
    cheap_to_read,
    keeps_tesseract,
    reading_cost,
    reads_with_rapidocr_first,
    takes_rapidocr,
    worth_a_second_opinion,
)
from folio.pipeline.ocr.base import prepare_image
from folio.pipeline.ocr.rapid import Detection
from folio.pipeline.ocr.session import reduction

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "ocr.json"
SROIE = CORPUS / "sroie/data"
TESSERACT_TEST = CORPUS / "tesseract_test/testing"
OLMOCR = CORPUS / "olmocr_bench/olmocr/bench/sample_data"
RAW_RAPIDOCR = "rapidocr_raw"  # the engine's own line order: the baseline of the reading order
# Tesseract's engine call on the whole page, one reader: the baseline of the two readers
ONE_READER = "tesseract_one_reader"
RAW = (RAW_RAPIDOCR, ONE_READER)
ENGINES = ("tesseract", ONE_READER, RAW_RAPIDOCR, "rapidocr", "auto")
MIN_PAGE_WORDS = 250  # a text-layer page this full of text is a dense page to read
MAX_PAGE_AREA = 700 * 900  # points: letter, A4 and smaller


@dataclass
class Sample:
    set: str
    index: int
    path: Path
    truth: str | None
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fold(self) -> str:
        return "even" if self.index % 2 == 0 else "odd"


# --- metrics -------------------------------------------------------------------------------


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def levenshtein(first: str, second: str) -> int:
    """Edit distance, one row at a time in numpy (insertions by a running minimum)."""
    if not first or not second:
        return max(len(first), len(second))
    target = np.frombuffer(second.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(second) + 1, dtype=np.int64)
    previous = columns.copy()
    for row, char in enumerate(first, start=1):
        substitution = previous[:-1] + (target != ord(char))
        deletion = previous[1:] + 1
        best = np.empty_like(previous)
        best[0] = row
        best[1:] = np.minimum(substitution, deletion)
        # insertion chain: best[j] = min_k (best[k] + j - k)
        previous = np.minimum.accumulate(best - columns) + columns
    return int(previous[-1])


def fuzzy_contains(haystack: str, needle: str, max_diffs: int) -> bool:
    """Some substring of ``haystack`` within ``max_diffs`` edits of ``needle`` (Sellers)."""
    if needle in haystack:
        return True
    if not needle or not haystack:
        return False
    target = np.frombuffer(haystack.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(haystack) + 1, dtype=np.int64)
    previous = np.zeros(len(haystack) + 1, dtype=np.int64)  # a match may start anywhere
    for row, char in enumerate(needle, start=1):
        best = np.empty_like(previous)
        best[0] = row
        best[1:] = np.minimum(previous[:-1] + (target != ord(char)), previous[1:] + 1)
        previous = np.minimum.accumulate(best - columns) + columns
    return int(previous.min()) <= max_diffs


def text_scores(text: str, truth: str) -> dict[str, int]:
    got, want = normalize(text), normalize(truth)
    read, wanted = Counter(got.split()), Counter(want.split())
    return {
        "edits": levenshtein(got, want),
        "chars": len(want),
        "common_words": sum((read & wanted).values()),
        "read_words": sum(read.values()),
        "truth_words": sum(wanted.values()),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scored = [row for row in rows if "edits" in row]
    summary: dict[str, Any] = {"files": len(rows)}
    if scored:
        chars = sum(row["chars"] for row in scored)
        common = sum(row["common_words"] for row in scored)
        precision = common / max(1, sum(row["read_words"] for row in scored))
        recall = common / max(1, sum(row["truth_words"] for row in scored))
        summary["cer"] = round(sum(row["edits"] for row in scored) / chars, 4)
        summary["cer_mean"] = round(statistics.mean(r["edits"] / r["chars"] for r in scored), 4)
        summary["word_f1"] = round(2 * precision * recall / max(1e-9, precision + recall), 4)
    checks = [passed for row in rows for passed in row.get("checks", [])]
    if checks:
        summary["checks_passed"] = f"{sum(checks)}/{len(checks)}"
    pages = sum(row["pages"] for row in rows)
    summary["wall_s_per_page"] = round(sum(row["wall_s"] for row in rows) / pages, 3)
    summary["cpu_s_per_page"] = round(sum(row["cpu_s"] for row in rows) / pages, 3)
    return summary


# --- samples ---------------------------------------------------------------------------------


def sroie_truth(box: Path) -> str:
    lines = box.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(line.split(",", 8)[8] for line in lines if line.count(",") >= 8)


def samples(quick: bool) -> list[Sample]:
    found: list[Sample] = []
    receipts = sorted((SROIE / "img").glob("*.jpg"))
    for index, image in enumerate(receipts):
        if quick and index % 3:  # every third: both folds keep receipts
            continue
        found.append(
            Sample("sroie", index, image, sroie_truth(SROIE / "box" / f"{image.stem}.csv"))
        )
    for index, scan in enumerate(sorted(TESSERACT_TEST.glob("*.tif"))):
        found.append(Sample("tesseract_test", index, scan, scan.with_suffix(".txt").read_text()))
    if not quick:
        found.extend(olmocr_scans())
    return found


def rendered_pages(folder: Path, quick: bool) -> list[Sample]:
    """Text-layer PDF pages full of text (at least MIN_PAGE_WORDS words; the first such page
    of each corpus PDF), rendered at 300 dpi as a scanner would deliver them (a PNG that states
    its resolution); truth: the page's text layer. The pages Tesseract reads first under auto."""
    import pypdfium2 as pdfium

    found: list[Sample] = []
    for pdf_path in sorted(CORPUS.rglob("*.pdf")):
        try:
            pdf = pdfium.PdfDocument(pdf_path)
        except pdfium.PdfiumError:
            continue
        try:
            for number in range(min(2, len(pdf))):
                page = pdf[number]
                truth = page.get_textpage().get_text_range()
                width, height = page.get_size()
                if len(truth.split()) >= MIN_PAGE_WORDS and width * height <= MAX_PAGE_AREA:
                    image = folder / f"{len(found):02d}_{pdf_path.stem}_p{number + 1}.png"
                    page.render(scale=300 / 72, grayscale=True).to_pil().save(image, dpi=(300, 300))
                    found.append(Sample("rendered_pages", len(found), image, truth))
                    break
        finally:
            pdf.close()
    return found[::3] if quick else found


def olmocr_scans() -> list[Sample]:
    import pypdfium2 as pdfium

    listing = OLMOCR / "dataset.jsonl"
    checks = [json.loads(line) for line in listing.read_text().splitlines() if line.strip()]
    scans: list[Sample] = []
    for index, pdf_path in enumerate(sorted((OLMOCR / "pdfs").rglob("*.pdf"))):
        pdf = pdfium.PdfDocument(pdf_path)
        try:
            has_layer = any(pdf[i].get_textpage().get_text_range().strip() for i in range(len(pdf)))
        finally:
            pdf.close()
        if has_layer:
            continue
        name = str(pdf_path.relative_to(OLMOCR / "pdfs"))
        mine = [c for c in checks if c["pdf"] == name and c["type"] == "present"]
        scans.append(Sample("olmocr_scans", index, pdf_path, None, mine))
    return scans


# --- running ---------------------------------------------------------------------------------


def read(sample: Sample, engine: str) -> tuple[dict[str, Any], DocumentResult | None]:
    if engine == RAW_RAPIDOCR:
        return read_raw_rapidocr(sample), None
    if engine == ONE_READER:
        return read_one_reader(sample), None
    options = PipelineOptions(ocr_engine=OcrEngineName(engine))
    wall, cpu = time.perf_counter(), time.process_time()
    result = process_file(sample.path, options)
    row: dict[str, Any] = {
        "file": sample.path.name,
        "fold": sample.fold,
        "pages": max(1, result.ocr.pages_ocr),
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }
    if sample.truth is not None:
        row.update(text_scores(result.text, sample.truth))
    if sample.checks:
        haystack = normalize(result.text)
        row["checks"] = [
            fuzzy_contains(haystack, normalize(c["text"]), int(c.get("max_diffs", 0)))
            for c in sample.checks
        ]
    return row, result


def read_raw_rapidocr(sample: Sample) -> dict[str, Any]:
    """RapidOCR as it comes: its lines joined in the engine's own order (images only)."""
    with Image.open(sample.path) as image:
        upright = prepare_image(ImageOps.exif_transpose(image))
    wall, cpu = time.perf_counter(), time.process_time()
    lines = rapid.load_engine().read_lines(upright)
    row: dict[str, Any] = {
        "file": sample.path.name,
        "fold": sample.fold,
        "pages": 1,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }
    if sample.truth is not None:
        row.update(text_scores("\n".join(text for _, text, _ in lines), sample.truth))
    return row


@cache
def one_reader() -> tesseract.TesseractEngine:
    return tesseract.TesseractEngine("eng", split=False)


def read_one_reader(sample: Sample) -> dict[str, Any]:
    """The engine call alone on the upright image, at the resolution it states."""
    with Image.open(sample.path) as image:
        upright = prepare_image(ImageOps.exif_transpose(image))
        dpi = image.info.get("dpi", (0, 0))[0]
    wall, cpu = time.perf_counter(), time.process_time()
    words = one_reader().recognize(upright, round(dpi) or None)
    row: dict[str, Any] = {
        "file": sample.path.name,
        "fold": sample.fold,
        "pages": 1,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }
    if sample.truth is not None:
        row.update(text_scores(" ".join(word.text for word in words), sample.truth))
    return row


def warm_up(engines: list[str]) -> None:
    """Load every engine once, as a worker process would before its first document."""
    first = TESSERACT_TEST / "phototest.tif"
    for engine in engines:
        if engine not in RAW:
            process_file(first, PipelineOptions(ocr_engine=OcrEngineName(engine)))


def run(
    chosen: list[Sample], engines: list[str]
) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], list[Reading]]:
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    readings: list[Reading] = []
    for number, sample in enumerate(chosen, start=1):
        results: dict[str, DocumentResult] = {}
        for engine in engines:
            if engine in RAW and sample.path.suffix.lower() == ".pdf":
                continue
            row, result = read(sample, engine)
            rows.setdefault(sample.set, {}).setdefault(engine, []).append(row)
            if result is not None:
                results[engine] = result
        if sample.truth is not None and {"tesseract", "rapidocr"} <= set(results):
            readings.append(Reading.of(sample, results["tesseract"], results["rapidocr"]))
        print(f"  {number}/{len(chosen)} {sample.set} {sample.path.name}", file=sys.stderr)
    return rows, readings


# --- the auto policy, cross-validated ----------------------------------------------------------


@dataclass
class Reading:
    """Both engines' readings of one file with ground truth."""

    sample: Sample
    pixels: int  # of the page as the engines read it
    cheap_to_read: bool  # a large page whose lines RapidOCR reads first (AutoEngine.first)
    reading: float | None  # RapidOCR's reading length of a large page (None: a small page)
    tesseract_confidence: float | None
    tesseract_words: int
    rapidocr_words: int
    scores: dict[str, dict[str, int]]  # engine -> text_scores

    @classmethod
    def of(cls, sample: Sample, tesseract: DocumentResult, rapid: DocumentResult) -> Reading:
        assert sample.truth is not None
        page = tesseract.pages[0]
        pixels = round(page.width * page.height)  # images only here: the unit is the pixel
        lines = None if reads_with_rapidocr_first(pixels) else detection(sample)
        return cls(
            sample,
            pixels,
            lines is not None and cheap_to_read(lines),
            reading_cost(lines) if lines is not None else None,
            tesseract.ocr.mean_confidence,
            tesseract.metadata.word_count,
            rapid.metadata.word_count,
            {
                "tesseract": text_scores(tesseract.text, sample.truth),
                "rapidocr": text_scores(rapid.text, sample.truth),
            },
        )

    def auto(self, policy: AutoPolicy) -> dict[str, int]:
        """The scores auto would get with ``policy`` (AutoEngine.first and .second_opinion)."""
        if reads_with_rapidocr_first(self.pixels, policy) or self.cheap_to_read:
            return self.scores["rapidocr" if self.rapidocr_words else "tesseract"]
        if keeps_tesseract(self.tesseract_confidence, policy):
            return self.scores["tesseract"]
        if not worth_a_second_opinion(self.reading, policy):
            return self.scores["tesseract"]
        second = takes_rapidocr(self.tesseract_words, self.rapidocr_words)
        return self.scores["rapidocr" if second else "tesseract"]


def detection(sample: Sample) -> Detection:
    """RapidOCR's lines on the image as the session reads it (upright, reduced)."""
    with Image.open(sample.path) as image:
        upright = prepare_image(ImageOps.exif_transpose(image))
    factor = reduction(upright.width, upright.height)
    if factor < 1.0:
        size = (round(upright.width * factor), round(upright.height * factor))
        upright = upright.resize(size, Image.Resampling.BOX)
    return rapid.load_engine().detect(upright)


# Only Tesseract's threshold is tuned: the page size and the reading length RapidOCR reads first
# at are bounds on its cost (it is the more accurate engine on every set here), not figures to
# fit.
GRID = [AutoPolicy(float(trusted), POLICY.rapid_first_max_pixels) for trusted in range(50, 102, 2)]


def policy_cer(readings: list[Reading], policy: AutoPolicy) -> dict[str, float]:
    """CER per set under ``policy``."""
    per_set: dict[str, list[int]] = {}
    for reading in readings:
        scores = reading.auto(policy)
        totals = per_set.setdefault(reading.sample.set, [0, 0])
        totals[0] += scores["edits"]
        totals[1] += scores["chars"]
    return {name: edits / chars for name, (edits, chars) in per_set.items()}


def cross_validate(readings: list[Reading]) -> dict[str, Any]:
    """Tune on one fold (the mean of the sets' CERs), score on the other, both ways."""
    folds: dict[str, Any] = {}
    for tune, score in (("even", "odd"), ("odd", "even")):
        tuning = [r for r in readings if r.sample.fold == tune]
        held_out = [r for r in readings if r.sample.fold == score]
        best = min(GRID, key=lambda p: statistics.mean(policy_cer(tuning, p).values()))
        folds[f"tuned_on_{tune}"] = {
            "trusted_confidence": best.trusted_confidence,
            f"cer_on_{score}": {k: round(v, 4) for k, v in policy_cer(held_out, best).items()},
        }
    shipped = POLICY
    folds["shipped_policy_cer"] = {
        fold: {
            k: round(v, 4)
            for k, v in policy_cer([r for r in readings if r.sample.fold == fold], shipped).items()
        }
        for fold in ("even", "odd")
    }
    return folds


def report_for(rows: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    sets: dict[str, Any] = {}
    for name, per_engine in rows.items():
        sets[name] = {}
        for engine, engine_rows in per_engine.items():
            summary = summarize(engine_rows)
            for fold in ("even", "odd"):
                part = [row for row in engine_rows if row["fold"] == fold]
                if part and "cer" in summary:
                    summary[f"cer_{fold}"] = summarize(part)["cer"]
            sets[name][engine] = summary
    return sets


def print_table(sets: dict[str, Any]) -> None:
    columns = ("cer", "cer_even", "cer_odd", "cer_mean", "word_f1", "checks_passed",
               "wall_s_per_page", "cpu_s_per_page")  # fmt: skip
    print(f"\n{'set':16}{'engine':11}" + "".join(f"{name:>16}" for name in columns))
    for name, per_engine in sets.items():
        for engine, summary in per_engine.items():
            cells = "".join(f"{summary.get(column, '-')!s:>16}" for column in columns)
            print(f"{name:16}{engine:11}{cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every third receipt, no olmOCR scans")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    arguments = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; set FOLIO_CORPUS", file=sys.stderr)
        return 2
    engines = [name.strip() for name in arguments.engines.split(",") if name.strip()]
    started = time.perf_counter()
    warm_up(engines)
    with tempfile.TemporaryDirectory() as folder:
        chosen = samples(arguments.quick) + rendered_pages(Path(folder), arguments.quick)
        rows, readings = run(chosen, engines)
    sets = report_for(rows)
    validation = cross_validate(readings) if readings else {}
    report: dict[str, Any] = {
        "mode": "quick" if arguments.quick else "full",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "engines": engines_available(),
        "sets": sets,
        "auto_policy_cross_validated": validation,
        "files": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_table(sets)
    if validation:
        print("\nauto policy, tuned on one fold and scored on the other:")
        print(json.dumps(validation, indent=1))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
