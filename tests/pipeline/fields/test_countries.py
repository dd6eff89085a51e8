"""The currency of an invoice that prints no currency mark, from the country it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.pipeline import process_file
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.countries import country_currency


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pay to IBAN: FR76 3000 6000 0112 3456 7890 189", "EUR"),
        ("Supplier GSTIN: 29ABCDE1234F1Z5, Bangalore, Karnataka, India", "INR"),
        ("Lot 5, Jalan Meranti, 43000 Kajang, Selangor, Malaysia", "MYR"),
        ("VAT Reg No: GB123456789", "GBP"),
        ("VAT No 1234567, thank you", None),  # "No" is no country
        ("Total 42.00", None),
    ],
)
def test_country_currency(text: str, code: str | None) -> None:
    assert country_currency(text) == code


def test_an_invoice_without_a_currency_mark(tmp_path: Path) -> None:
    path = tmp_path / "invoice.txt"
    path.write_text(
        "Kestrel Audio GmbH, Hauptstrasse 5, 10115 Berlin, Deutschland\n"
        "Invoice No: 5511          Date: 03/02/2024\n"
        "Total                     99.00\n"
        "IBAN: DE89 3704 0044 0532 0130 00\n"
    )
    field = apply_template(process_file(path), get_template("invoice")).fields["currency"]
    assert field.value == "EUR"
    assert field.confidence < 0.8  # a guess from the country, never a sure value
