"""Field accuracy of the built-in extraction templates on the corpus, exact and normalised.

    python bench/extraction.py [--quick]

``invoice`` on every invoice2data PDF (expected JSON beside each file) and ``receipt`` on the
SROIE receipts (``key/*.json``: company, date, address, total; quick: the first 10 by name).
Exact compares the normalised value (or, for receipts, the raw text) with the ground truth as
written; normalised folds case, accents, punctuation, spaces and legal forms, compares amounts
to the cent and dates as ISO 8601. Prints a table and writes bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from folio.pipeline import OcrEngineName, PipelineOptions, process_file
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.scoring import exact_match, normalized_match

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "extraction.json"
INVOICES = CORPUS / "invoice2data" / "tests" / "compare"
SROIE = CORPUS / "sroie" / "data"

# receipts are phone photos: RapidOCR reads them far better than Tesseract (DESIGN.md)
RECEIPT_OPTIONS = PipelineOptions(ocr_engine=OcrEngineName.rapidocr)
# ground-truth key → (template field, comparison kind)
INVOICE_FIELDS: dict[str, tuple[str, str]] = {
    "issuer": ("issuer", "text"),
    "invoice_number": ("invoice_number", "text"),
    "date": ("issue_date", "date"),
    "date_due": ("due_date", "date"),
    "currency": ("currency", "text"),
    "amount": ("total", "number"),
    "amount_untaxed": ("subtotal", "number"),
    "amount_tax": ("tax", "number"),
    "iban": ("iban", "text"),
    "vat": ("vat_ids", "list"),
}
RECEIPT_FIELDS: dict[str, tuple[str, str]] = {
    "company": ("company", "text"),
    "date": ("date", "date"),
    "address": ("address", "text"),
    "total": ("total", "number"),
}


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, field: str, exact: bool, normalised: bool) -> None:
        row = self.counts.setdefault(field, {"n": 0, "exact": 0, "normalised": 0})
        row["n"] += 1
        row["exact"] += int(exact)
        row["normalised"] += int(normalised)

    def summary(self) -> dict[str, Any]:
        fields = {
            name: {
                **row,
                "exact_acc": _ratio(row["exact"], row["n"]),
                "normalised_acc": _ratio(row["normalised"], row["n"]),
            }
            for name, row in self.counts.items()
        }
        n = sum(r["n"] for r in self.counts.values())
        overall = {
            "n": n,
            "exact_acc": _ratio(sum(r["exact"] for r in self.counts.values()), n),
            "normalised_acc": _ratio(sum(r["normalised"] for r in self.counts.values()), n),
        }
        return {"fields": fields, "overall": overall}


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _vat_expected(gt: dict[str, Any]) -> Any:
    return gt.get("vat") or gt.get("static_vat")


def bench_invoices(tally: Tally, details: list[dict[str, Any]]) -> float:
    template = get_template("invoice")
    start = time.perf_counter()
    for pdf in sorted(INVOICES.glob("*.pdf")):
        gt = json.loads(pdf.with_suffix(".json").read_text())[0]
        gt["vat"] = _vat_expected(gt)
        result = process_file(pdf, PipelineOptions())
        values = apply_template(result, template).values()
        for key, (name, kind) in INVOICE_FIELDS.items():
            if gt.get(key) in (None, ""):
                continue
            expected, predicted = gt[key], values.get(name)
            exact = (
                (str(expected) in predicted)
                if kind == "list" and predicted
                else (exact_match(predicted, expected))
            )
            norm = normalized_match(predicted, expected, kind)
            tally.add(key, exact, norm)
            details.append(
                {
                    "doc": pdf.name,
                    "field": key,
                    "expected": expected,
                    "predicted": predicted,
                    "exact": exact,
                    "normalised": norm,
                }
            )
    return time.perf_counter() - start


def bench_receipts(tally: Tally, details: list[dict[str, Any]], limit: int | None) -> float:
    template = get_template("receipt")
    keys = sorted((SROIE / "key").glob("*.json"))[:limit]
    start = time.perf_counter()
    for key in keys:
        gt = json.loads(key.read_text())
        image = SROIE / "img" / f"{key.stem}.jpg"
        extraction = apply_template(process_file(image, RECEIPT_OPTIONS), template)
        for gt_key, (name, kind) in RECEIPT_FIELDS.items():
            if gt_key not in gt:
                continue
            fv = extraction.fields[name]
            exact = fv.raw is not None and fv.raw.strip() == str(gt[gt_key]).strip()
            norm = normalized_match(fv.value, gt[gt_key], kind)
            tally.add(gt_key, exact, norm)
            details.append(
                {
                    "doc": image.name,
                    "field": gt_key,
                    "expected": gt[gt_key],
                    "predicted": fv.value,
                    "raw": fv.raw,
                    "exact": exact,
                    "normalised": norm,
                }
            )
    return time.perf_counter() - start


def print_table(title: str, summary: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"{'field':<16}{'n':>5}{'exact':>10}{'normalised':>12}")
    for name, row in summary["fields"].items():
        print(f"{name:<16}{row['n']:>5}{row['exact_acc']:>10.1%}{row['normalised_acc']:>12.1%}")
    o = summary["overall"]
    print(f"{'OVERALL':<16}{o['n']:>5}{o['exact_acc']:>10.1%}{o['normalised_acc']:>12.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 receipts instead of all")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 1
    inv, rec = Tally(), Tally()
    inv_details: list[dict[str, Any]] = []
    rec_details: list[dict[str, Any]] = []
    inv_s = bench_invoices(inv, inv_details)
    rec_s = bench_receipts(rec, rec_details, 10 if args.quick else None)
    report = {
        "quick": args.quick,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "invoice": {
            **inv.summary(),
            "documents": len({d["doc"] for d in inv_details}),
            "seconds": round(inv_s, 2),
            "details": inv_details,
        },
        "receipt": {
            **rec.summary(),
            "documents": len({d["doc"] for d in rec_details}),
            "seconds": round(rec_s, 2),
            "details": rec_details,
        },
    }
    print_table(
        f"invoice template on invoice2data ({report['invoice']['documents']} PDFs)",
        report["invoice"],
    )
    print_table(
        f"receipt template on SROIE ({report['receipt']['documents']} receipts)", report["receipt"]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
