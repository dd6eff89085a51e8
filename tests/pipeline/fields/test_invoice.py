"""The built-in ``invoice`` template on the invoice2data corpus, against the expected JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.scoring import exact_match, normalized_match

from .conftest import INVOICES

PDFS = sorted(INVOICES.glob("*.pdf"))
FIELDS = {  # ground-truth key → (template field, comparison kind)
    "amount": ("total", "number"),
    "date": ("issue_date", "date"),
    "currency": ("currency", "text"),
    "invoice_number": ("invoice_number", "text"),
    "amount_untaxed": ("subtotal", "number"),
    "date_due": ("due_date", "date"),
    "iban": ("iban", "text"),
    "issuer": ("issuer", "text"),
}


def _expected(pdf: Path) -> dict:
    return json.loads(pdf.with_suffix(".json").read_text())[0]


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_total_date_and_currency(pdf: Path, process) -> None:
    expected = _expected(pdf)
    values = apply_template(process(pdf), get_template("invoice")).values()
    if "amount" in expected:
        assert exact_match(values["total"], expected["amount"])
    assert exact_match(values["issue_date"], expected["date"])
    assert exact_match(values["currency"], expected["currency"])


def test_accuracy_over_the_corpus(corpus: Path, process) -> None:
    template = get_template("invoice")
    exact = normalised = total = 0
    for pdf in PDFS:
        expected = _expected(pdf)
        values = apply_template(process(pdf), template).values()
        for key, (name, kind) in FIELDS.items():
            if expected.get(key) in (None, ""):
                continue
            total += 1
            exact += exact_match(values[name], expected[key])
            normalised += normalized_match(values[name], expected[key], kind)
    assert total >= 60
    assert exact / total >= 0.75
    assert normalised / total >= 0.8


def test_values_carry_raw_text_page_box_and_confidence(corpus: Path, process) -> None:
    extraction = apply_template(process(INVOICES / "coolblue1.pdf"), get_template("invoice"))
    total = extraction.fields["total"]
    assert total.value == 717.97
    assert "717,97" in (total.raw or "")
    assert total.page == 1 and total.bbox is not None
    x0, y0, x1, y1 = total.bbox
    assert 0 <= x0 < x1 <= 595 and 0 <= y0 < y1 <= 842
    assert 0 < total.confidence <= 1
    assert extraction.fields["iban"].value == "NL50INGB0683251309"
    assert "NL810433941B01" in extraction.fields["vat_ids"].value


def test_missing_values_are_explicit(corpus: Path, process) -> None:
    extraction = apply_template(process(INVOICES / "coolblue1.pdf"), get_template("invoice"))
    due = extraction.fields["due_date"]
    assert due.value is None
    assert due.missing_reason
    assert due.raw is None and due.bbox is None


def test_line_items_from_the_table(corpus: Path, process) -> None:
    extraction = apply_template(process(INVOICES / "saeco.pdf"), get_template("invoice"))
    items = extraction.values()["line_items"]
    assert items[0]["description"] == "Onderhoudsset CA6707/10"
    assert items[0]["unit_price"] == 49.99 and items[0]["quantity"] == 1.0
    assert items[1]["description"] == "SX Flyer SAECO Korting KVDNL"


def test_validation_runs_with_the_template(corpus: Path, process) -> None:
    extraction = apply_template(process(INVOICES / "AzureInterior.pdf"), get_template("invoice"))
    report = extraction.validation
    assert report is not None and report.passed
    add = next(r for r in report.results if r.rule.kind == "add")
    assert add.status == "pass"
    assert add.values == {"subtotal": 262.9, "tax": 16.94, "total": 279.84}


def test_plain_text_invoice(corpus: Path, process) -> None:
    """A text file has no word boxes: monospace boxes stand in for them."""
    values = apply_template(process(INVOICES / "Orlen.txt"), get_template("invoice")).values()
    assert values["total"] == 316.83
    assert values["issue_date"] == "2021-01-01"
    assert values["currency"] == "PLN"


@pytest.mark.ocr
def test_an_exact_label_beats_a_slip_of_another_on_a_scan(corpus: Path) -> None:
    """Read as a scan, ``Factuur`` over the number is the label ``factuur``, not an OCR slip
    of ``factuurnr`` over the customer number beside it."""
    options = PipelineOptions(ocr=OcrMode.force, ocr_engine="tesseract")
    result = process_file(INVOICES / "saeco.pdf", options)
    values = apply_template(result, get_template("invoice")).values()
    assert values["invoice_number"] == "VF1005193039"
