"""Field accuracy of the built-in extraction templates on the corpus, cross-validated.

    python bench/extraction.py [--quick] [--engine rapidocr|tesseract|auto]
                               [--source ocr|transcript|both] [--details]
                               [--perturb [scale,jpeg,rotate,contrast,photo,tesseract]]

``receipt`` on the SROIE receipts (``key/*.json``: company, date, address, total) and
``invoice`` on the invoice2data PDFs (issuer, number, date, total, currency as the scored five;
the other ground-truth keys are listed too). Exact compares the value as written; normalised
folds case, accents, punctuation, spaces and legal forms, compares amounts to the cent and dates
as ISO 8601.

Receipts run twice: on the OCR Folio produces with ``--engine`` (cached per file under
``--cache``, keyed by the file's sha256 and the engine, so a second run takes seconds) and on the
SROIE ground-truth transcripts (``box/*.csv``), which separates OCR errors from field errors.

Two folds (even / odd index in name order): the confidence calibration (isotonic, the only
thing fitted) is fitted on one half and scored on the other, then swapped. The rules themselves
are not fitted to the corpus; the per-fold figures show how much they vary between halves.
``--perturb`` is the carry-over check: the same receipts under changes no rule was written on
(downscaled to 0.6x, re-saved as JPEG at quality 25, turned by 2 degrees, contrast halved, all
four at once as ``photo``, or read by Tesseract), and the invoices read as scans (every page
OCR'd); each is OCR'd and cached under its own key, and the per-field accuracy is printed next
to the clean figure.

Prints the tables, the calibration table (calibrated-confidence bins vs accuracy on the held-out
fold) and writes bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageEnhance

from folio.pipeline import DocumentResult, process_file
from folio.pipeline.fields import FieldValue, apply_template, get_template
from folio.pipeline.fields.calibration import SHIPPED, Calibrator, fit_isotonic
from folio.pipeline.fields.scoring import exact_match, normalized_match
from folio.pipeline.types import (
    DocumentKind,
    Metadata,
    OcrEngineName,
    OcrInfo,
    OcrMode,
    Page,
    PageSource,
    PipelineOptions,
    Word,
)

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "extraction.json"
INVOICES = CORPUS / "invoice2data" / "tests" / "compare"
SROIE = CORPUS / "sroie" / "data"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "folio-bench-ocr-cache"

# ground-truth key → (template field, comparison kind); SCORED are the "all fields" set
INVOICE_FIELDS: dict[str, tuple[str, str]] = {
    "issuer": ("issuer", "text"),
    "invoice_number": ("invoice_number", "text"),
    "date": ("issue_date", "date"),
    "amount": ("total", "number"),
    "currency": ("currency", "text"),
    "date_due": ("due_date", "date"),
    "amount_untaxed": ("subtotal", "number"),
    "amount_tax": ("tax", "number"),
    "iban": ("iban", "text"),
    "vat": ("vat_ids", "list"),
}
INVOICE_SCORED = ("issuer", "invoice_number", "date", "amount", "currency")
RECEIPT_FIELDS: dict[str, tuple[str, str]] = {
    "company": ("company", "text"),
    "date": ("date", "date"),
    "address": ("address", "text"),
    "total": ("total", "number"),
}
RECEIPT_SCORED = tuple(RECEIPT_FIELDS)


@dataclass
class Row:
    doc: str
    index: int  # position of the document in name order: fold = index % 2
    field: str
    expected: Any
    predicted: Any
    raw: str | None
    confidence: float
    method: str | None
    exact: bool
    normalised: bool


def cached_process(
    path: Path, engine: str, cache: Path, ocr: OcrMode = OcrMode.auto
) -> DocumentResult:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mode = "" if ocr is OcrMode.auto else f"-{ocr.value}"
    entry = cache / f"{digest}-{engine}{mode}.json"
    if entry.is_file():
        return DocumentResult.model_validate_json(entry.read_text())
    options = PipelineOptions(ocr_engine=OcrEngineName(engine), ocr=ocr)
    result = process_file(path, options)
    cache.mkdir(parents=True, exist_ok=True)
    entry.write_text(result.model_dump_json())
    return result


PERTURB_SCALE = 0.6
PERTURB_JPEG_QUALITY = 25
PERTURB_DEGREES = 2.0
PERTURB_CONTRAST = 0.5
PERTURBATIONS = ("scale", "jpeg", "rotate", "contrast", "photo", "tesseract")


def perturbed(image: Image.Image, name: str, index: int) -> tuple[Image.Image, int]:
    """The receipt image under a named perturbation, and the JPEG quality to save it at.
    Rotation alternates in sign with the document's index so both directions are tried."""
    image = image.convert("RGB")
    steps = ("scale", "jpeg", "rotate", "contrast") if name == "photo" else (name,)
    if "scale" in steps:
        size = (round(image.width * PERTURB_SCALE), round(image.height * PERTURB_SCALE))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if "rotate" in steps:
        degrees = PERTURB_DEGREES if index % 2 == 0 else -PERTURB_DEGREES
        image = image.rotate(
            degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"
        )
    if "contrast" in steps:
        image = ImageEnhance.Contrast(image).enhance(PERTURB_CONTRAST)
    return image, PERTURB_JPEG_QUALITY if "jpeg" in steps else 95


def perturbed_process(
    image_path: Path, index: int, name: str, engine: str, cache: Path
) -> DocumentResult:
    """OCR of the perturbed image, cached under the perturbed file's own digest."""
    if name == "tesseract":
        return cached_process(image_path, "tesseract", cache)
    folder = cache / "perturbed" / name
    target = folder / f"{image_path.stem}.jpg"
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with Image.open(image_path) as original:
            image, quality = perturbed(original, name, index)
        image.save(target, "JPEG", quality=quality)
    return cached_process(target, engine, cache)


def transcript_result(box_csv: Path) -> DocumentResult:
    """A one-page result from a SROIE transcript: one row per text line with its quadrilateral;
    words get boxes proportional to their length inside the line's box."""
    words: list[Word] = []
    text_parts: list[str] = []
    pos, width, height = 0, 1.0, 1.0
    with box_csv.open(encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) < 9:
                continue
            xs, ys = [float(v) for v in row[0:8:2]], [float(v) for v in row[1:8:2]]
            text = ",".join(row[8:]).strip()
            if not text:
                continue
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            width, height = max(width, x1), max(height, y1)
            per_char = (x1 - x0) / max(len(text), 1)
            offset = 0
            for token in text.split(" "):
                if token:
                    bx0 = x0 + offset * per_char
                    box = (bx0, y0, bx0 + len(token) * per_char, y1)
                    words.append(Word(text=token, bbox=box, start=pos, end=pos + len(token)))
                    pos += len(token) + 1
                offset += len(token) + 1
            text_parts.append(text)
    page = Page(
        number=1,
        width=width,
        height=height,
        unit="px",
        source=PageSource.ocr,
        text="\n".join(text_parts),
        words=words,
    )
    return DocumentResult(
        kind=DocumentKind.image,
        mime_type="image/jpeg",
        metadata=Metadata(page_count=1, word_count=len(words), char_count=len(page.text)),
        pages=[page],
        ocr=OcrInfo(mode=OcrMode.auto, pages_ocr=1),
    )


def skewed(result: DocumentResult, degrees: float) -> DocumentResult:
    """The result as a phone photo taken ``degrees`` off square would give it: every word's
    box centre turned about the page centre (boxes stay upright, as OCR reports them)."""
    if not degrees:
        return result
    turn = math.radians(degrees)
    pages = []
    for page in result.pages:
        cx, cy = page.width / 2, page.height / 2
        words = []
        for w in page.words:
            x0, y0, x1, y1 = w.bbox
            mx, my = (x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy
            nx = cx + mx * math.cos(turn) - my * math.sin(turn)
            ny = cy + mx * math.sin(turn) + my * math.cos(turn)
            hw, hh = (x1 - x0) / 2, (y1 - y0) / 2
            box = (nx - hw, ny - hh, nx + hw, ny + hh)
            words.append(w.model_copy(update={"bbox": box}))
        pages.append(page.model_copy(update={"words": words}))
    return result.model_copy(update={"pages": pages})


def _score(fv: FieldValue) -> float:
    """The raw locator score: calibration is what the bench fits, so it reads the input."""
    return fv.score if fv.score is not None else fv.confidence


def _vat_expected(gt: dict[str, Any]) -> Any:
    return gt.get("vat") or gt.get("static_vat")


def bench_invoices(load: Callable[[Path], DocumentResult]) -> list[Row]:
    template = get_template("invoice")
    rows: list[Row] = []
    for index, pdf in enumerate(sorted(INVOICES.glob("*.pdf"))):
        gt = json.loads(pdf.with_suffix(".json").read_text())[0]
        gt["vat"] = _vat_expected(gt)
        extraction = apply_template(load(pdf), template)
        for key, (name, kind) in INVOICE_FIELDS.items():
            if gt.get(key) in (None, ""):
                continue
            fv = extraction.fields[name]
            expected, predicted = gt[key], fv.value
            exact = (
                str(expected) in predicted
                if kind == "list" and predicted
                else exact_match(predicted, expected)
            )
            norm = normalized_match(predicted, expected, kind)
            rows.append(
                Row(
                    pdf.name, index, key, expected, predicted, fv.raw,
                    _score(fv), fv.method, exact, norm,
                )
            )  # fmt: skip
    return rows


def bench_receipts(load: Callable[[Path, int], DocumentResult], limit: int | None) -> list[Row]:
    template = get_template("receipt")
    rows: list[Row] = []
    for index, key in enumerate(sorted((SROIE / "key").glob("*.json"))[:limit]):
        gt = json.loads(key.read_text())
        extraction = apply_template(load(key, index), template)
        for gt_key, (name, kind) in RECEIPT_FIELDS.items():
            if gt_key not in gt:
                continue
            fv = extraction.fields[name]
            exact = fv.raw is not None and fv.raw.strip() == str(gt[gt_key]).strip()
            norm = normalized_match(fv.value, gt[gt_key], kind)
            rows.append(
                Row(
                    key.stem, index, gt_key, gt[gt_key], fv.value, fv.raw,
                    _score(fv), fv.method, exact, norm,
                )
            )  # fmt: skip
    return rows


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def field_table(rows: list[Row]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for field in dict.fromkeys(r.field for r in rows):
        mine = [r for r in rows if r.field == field]
        table[field] = {
            "n": len(mine),
            "exact_acc": _ratio(sum(r.exact for r in mine), len(mine)),
            "normalised_acc": _ratio(sum(r.normalised for r in mine), len(mine)),
            "fold0": _ratio(sum(r.normalised for r in mine if r.index % 2 == 0), _n(mine, 0)),
            "fold1": _ratio(sum(r.normalised for r in mine if r.index % 2 == 1), _n(mine, 1)),
        }
    return table


def _n(rows: list[Row], fold: int) -> int:
    return sum(1 for r in rows if r.index % 2 == fold)


def all_fields(rows: list[Row], scored: tuple[str, ...]) -> float:
    """Share of documents whose every scored field (present in the ground truth) is right."""
    docs: dict[str, bool] = {}
    for r in rows:
        if r.field in scored:
            docs[r.doc] = docs.get(r.doc, True) and r.normalised
    return _ratio(sum(docs.values()), len(docs))


BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def cross_calibrate(rows: list[Row]) -> dict[str, Any]:
    """Isotonic calibration per field fitted on one fold and applied to the other; the table
    pools the two held-out halves."""
    held_out: list[tuple[float, bool]] = []
    for fold in (0, 1):
        train = [r for r in rows if r.index % 2 != fold]
        calibrator = fit_calibrator(train)
        for r in rows:
            if r.index % 2 == fold:
                p = calibrator.calibrate(r.field, r.method, r.confidence, r.predicted is not None)
                held_out.append((p, r.normalised))
    table = []
    for lo, hi in itertools.pairwise(BINS):
        inside = [ok for p, ok in held_out if lo <= p < hi]
        table.append(
            {
                "bin": f"[{lo:.1f}, {min(hi, 1.0):.1f})",
                "n": len(inside),
                "acc": _ratio(sum(inside), len(inside)),
            }
        )
    high = [ok for p, ok in held_out if p >= 0.8]
    return {
        "bins": table,
        "at_or_above_0.8": {"n": len(high), "acc": _ratio(sum(high), len(high))},
        "share_at_or_above_0.8": _ratio(len(high), len(held_out)),
    }


def fit_calibrator(rows: list[Row]) -> Calibrator:
    samples: dict[str, list[tuple[float, bool]]] = {}
    for r in rows:
        if r.predicted is None:
            continue
        samples.setdefault(r.field, []).append((r.confidence, r.normalised))
    return Calibrator({field: fit_isotonic(pairs) for field, pairs in samples.items()})


def write_calibration(runs: list[tuple[str, str, list[Row], tuple[str, ...], float]]) -> None:
    """The shipped maps: fitted on all development documents (the figures printed above are
    the cross-validated ones), keyed by template and template field name."""
    shipped: dict[str, Any] = {}
    for name, _, rows, _, _ in runs:
        template, fields = (
            ("invoice", INVOICE_FIELDS) if name == "invoice" else ("receipt", RECEIPT_FIELDS)
        )
        if name == "receipt_transcript":
            continue
        fitted = fit_calibrator(rows).to_json()
        shipped[template] = {fields[key][0]: points for key, points in fitted.items() if points}
    SHIPPED.write_text(json.dumps(shipped, indent=1) + "\n")
    print(f"wrote {SHIPPED.relative_to(REPO)}")


def print_table(title: str, rows: list[Row], scored: tuple[str, ...]) -> dict[str, Any]:
    table = field_table(rows)
    print(f"\n{title}")
    print(f"{'field':<16}{'n':>5}{'exact':>9}{'normalised':>12}{'fold0':>8}{'fold1':>8}")
    for name, row in table.items():
        mark = "*" if name in scored else " "
        print(
            f"{mark}{name:<15}{row['n']:>5}{row['exact_acc']:>9.1%}{row['normalised_acc']:>12.1%}"
            f"{row['fold0']:>8.1%}{row['fold1']:>8.1%}"
        )
    every = all_fields(rows, scored)
    folds = [all_fields([r for r in rows if r.index % 2 == k], scored) for k in (0, 1)]
    print(
        f"all * fields right, per document: {every:.1%}"
        f" (fold0 {folds[0]:.1%}, fold1 {folds[1]:.1%})"
    )
    calibration = cross_calibrate([r for r in rows if r.field in scored])
    print("calibration (held-out fold, scored fields): confidence bin → n, accuracy")
    for b in calibration["bins"]:
        print(f"  {b['bin']:<12}{b['n']:>5}{b['acc']:>9.1%}")
    hi = calibration["at_or_above_0.8"]
    print(f"  ≥ 0.8: {hi['n']} fields, {hi['acc']:.1%} right")
    return {
        "fields": table,
        "all_fields": every,
        "all_fields_fold0": folds[0],
        "all_fields_fold1": folds[1],
        "calibration": calibration,
    }


def carry_over(
    args: argparse.Namespace, limit: int | None, runs: list[tuple[str, str, list[Row], Any, float]]
) -> dict[str, Any]:
    """Score the perturbed documents and print each field's accuracy next to the clean run's."""
    names = [n.strip() for n in args.perturb.split(",") if n.strip()]
    unknown = sorted(set(names) - set(PERTURBATIONS))
    if unknown:
        raise SystemExit(f"unknown perturbation(s) {unknown}; known: {PERTURBATIONS}")
    clean = {name: rows for name, _, rows, _, _ in runs}
    receipts: dict[str, list[Row]] = {}
    if "receipt_ocr" in clean:
        receipts["clean"] = clean["receipt_ocr"]
    for name in names:

        def load(key: Path, index: int, name: str = name) -> DocumentResult:
            image = SROIE / "img" / f"{key.stem}.jpg"
            return perturbed_process(image, index, name, args.engine, args.cache)

        receipts[name] = bench_receipts(load, limit)
    invoices = {
        "clean": clean["invoice"],
        "scan": bench_invoices(lambda p: cached_process(p, "tesseract", args.cache, OcrMode.force)),
    }
    report = {
        "receipt": compare_table("receipts, perturbed", receipts, RECEIPT_SCORED),
        "invoice": compare_table("invoices read as scans", invoices, INVOICE_SCORED),
    }
    if args.details:
        for variants in (receipts, invoices):
            for name, rows in variants.items():
                for r in rows:
                    if name != "clean" and not r.normalised:
                        got = f"got {r.predicted!r} [{r.method} {r.confidence}]"
                        print(f"   ✗ [{name}] {r.doc} {r.field}: expected {r.expected!r} {got}")
    return report


def compare_table(
    title: str, variants: dict[str, list[Row]], scored: tuple[str, ...]
) -> dict[str, Any]:
    """Normalised accuracy per field (columns: clean, then each perturbation), the all-fields
    share with its two folds."""
    tables = {name: field_table(rows) for name, rows in variants.items()}
    print(f"\n{title}: normalised accuracy per field")
    print(f"{'field':<16}" + "".join(f"{name:>11}" for name in variants))
    fields = [f for f in next(iter(tables.values())) if f in scored]
    for field in fields:
        cells = "".join(f"{t[field]['normalised_acc']:>11.1%}" for t in tables.values())
        print(f"{field:<16}{cells}")
    summary: dict[str, Any] = {}
    for name, rows in variants.items():
        folds = [all_fields([r for r in rows if r.index % 2 == k], scored) for k in (0, 1)]
        summary[name] = {
            "fields": {f: tables[name][f]["normalised_acc"] for f in fields},
            "all_fields": all_fields(rows, scored),
            "all_fields_fold0": folds[0],
            "all_fields_fold1": folds[1],
        }
    cells = "".join(f"{v['all_fields']:>11.1%}" for v in summary.values())
    print(f"{'all fields':<16}{cells}")
    for k in (0, 1):
        cells = "".join(f"{v[f'all_fields_fold{k}']:>11.1%}" for v in summary.values())
        print(f"{f'  fold{k}':<16}{cells}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 receipts instead of all")
    parser.add_argument("--engine", default="rapidocr", help="OCR engine for receipts")
    parser.add_argument("--source", choices=("ocr", "transcript", "both"), default="both")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="OCR result cache")
    parser.add_argument("--details", action="store_true", help="print every wrong field")
    parser.add_argument(
        "--write-calibration",
        action="store_true",
        help="fit the calibration on every document and write the one Folio ships",
    )
    parser.add_argument(
        "--perturb",
        nargs="?",
        const=",".join(PERTURBATIONS),
        default="",
        help=f"also score perturbed receipts and scanned invoices: {','.join(PERTURBATIONS)}"
        " (all when given without a value)",
    )
    parser.add_argument(
        "--skew", type=float, default=0.0, help="turn receipt word boxes by this many degrees"
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    limit = 20 if args.quick else None
    report: dict[str, Any] = {
        "quick": args.quick,
        "engine": args.engine,
        "skew_degrees": args.skew,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    runs: list[tuple[str, str, list[Row], tuple[str, ...], float]] = []
    start = time.perf_counter()
    invoices = bench_invoices(lambda p: cached_process(p, "tesseract", args.cache))
    runs.append(
        (
            "invoice",
            "invoice template on invoice2data PDFs",
            invoices,
            INVOICE_SCORED,
            time.perf_counter() - start,
        )
    )
    if args.source in ("ocr", "both"):
        start = time.perf_counter()

        def load_image(key: Path, index: int) -> DocumentResult:
            image = SROIE / "img" / f"{key.stem}.jpg"
            return skewed(cached_process(image, args.engine, args.cache), args.skew)

        rows = bench_receipts(load_image, limit)
        runs.append(
            (
                "receipt_ocr",
                f"receipt template on SROIE, OCR {args.engine}",
                rows,
                RECEIPT_SCORED,
                time.perf_counter() - start,
            )
        )
    if args.source in ("transcript", "both"):
        start = time.perf_counter()
        rows = bench_receipts(
            lambda k, _: skewed(transcript_result(SROIE / "box" / f"{k.stem}.csv"), args.skew),
            limit,
        )
        runs.append(
            (
                "receipt_transcript",
                "receipt template on SROIE ground-truth transcripts",
                rows,
                RECEIPT_SCORED,
                time.perf_counter() - start,
            )
        )
    for name, title, rows, scored, seconds in runs:
        summary = print_table(
            f"{title} ({len({r.doc for r in rows})} documents, {seconds:.1f} s)", rows, scored
        )
        report[name] = {
            **summary,
            "seconds": round(seconds, 2),
            "details": [r.__dict__ for r in rows],
        }
        if args.details:
            for r in rows:
                if not r.normalised:
                    got = f"got {r.predicted!r} [{r.method} {r.confidence}]"
                    print(f"   ✗ {r.doc} {r.field}: expected {r.expected!r} {got}")
    if args.perturb:
        report["perturbed"] = carry_over(args, limit, runs)
    if args.write_calibration:
        write_calibration(runs)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
