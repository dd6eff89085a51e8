"""Normalisers: money in EU, US and Indian styles, dates in many formats, phones, entities."""

from __future__ import annotations

import pytest

from folio.pipeline.fields import detect_currency, find_money, normalize_phone, parse_date
from folio.pipeline.fields.entities import find_entities
from folio.pipeline.fields.normalize import parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("12,34,567.50", 1234567.5),
        ("1 234,56", 1234.56),
        ("3.441.812", 3441812.0),
        ("45,93", 45.93),
        ("1,234", 1234.0),
        ("(12.50)", -12.5),
        ("-9,32", -9.32),
        ("abc", None),
    ],
)
def test_parse_number(raw: str, expected: float | None) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Total TTC : 56,02 €", 56.02, "EUR"),
        ("Grand Total Rs 1939", 1939.0, "INR"),
        ("Total EUR 34,73", 34.73, "EUR"),
        ("RM 1,234.50", 1234.5, "MYR"),
        ("₹ 50,00,000", 5000000.0, "INR"),
        ("£12.00", 12.0, "GBP"),
        ("Sub Total RM 65. 20", 65.2, "MYR"),  # OCR space after the decimal mark
    ],
)
def test_find_money(text: str, amount: float, currency: str) -> None:
    found = find_money(text)
    assert found, text
    assert found[-1].value == (amount, currency)


def test_money_skips_dates_percentages_and_ids() -> None:
    text = "TOTAL DUE ON August 3 , 2014 VAT 21% ref E103184 $4.11"
    assert [m.value for m in find_money(text)] == [(4.11, "USD")]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Invoice Date: August 3 , 2014", "2014-08-03"),
        ("03/20/2023", "2023-03-20"),
        ("Jan 1, 2022", "2022-01-01"),
        ("15-10-2015", "2015-10-15"),
        ("7. Mai 2014", "2014-05-07"),
        ("du 02 Juillet 2015", "2015-07-02"),
        ("19 april 2014", "2014-04-19"),
        ("2021-01-01", "2021-01-01"),
        ("15th January 2024", "2024-01-15"),
        ("Date: 09/01/2019 8:01:11 PM", "2019-01-09"),
        ("05-02-18", "2018-02-05"),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_parse_date_month_first_order() -> None:
    assert parse_date("04/05/2023", order="MDY") == "2023-04-05"
    assert parse_date("04/05/2023", order="DMY") == "2023-05-04"


def test_phones() -> None:
    assert normalize_phone("+91 98490 11223") == "+919849011223"
    assert normalize_phone("98765 43210", default_country="IN") == "+919876543210"
    assert normalize_phone("12") is None


def test_currency_detection() -> None:
    assert detect_currency("Prijs € 399,00 … Totaal € 717,97") == "EUR"
    assert detect_currency("Room Rs 1939") == "INR"
    assert detect_currency("no money") is None


def test_entities_with_checksums() -> None:
    assert [m.value for m in find_entities("iban", "IBAN NL50 INGB 0683 2513 09")] == [
        "NL50INGB0683251309"
    ]
    assert find_entities("iban", "IBAN NL51INGB0683251309") == []  # bad mod-97
    # an OCR slip (0 for O in the bank code) that one look-alike swap mends
    assert [m.value for m in find_entities("iban", "IBAN: NL58RAB00198723202")] == [
        "NL58RABO0198723202"
    ]
    assert [m.value for m in find_entities("aadhaar", "Aadhaar: 2341 2341 2346")] == [
        "2341 2341 2346"
    ]
    assert find_entities("aadhaar", "Aadhaar: 2341 2341 2345") == []  # bad Verhoeff digit
    assert [m.value for m in find_entities("pan", "PAN ABCPS1234K")] == ["ABCPS1234K"]
    assert [m.value for m in find_entities("email", "Mail: A.B@Example.COM")] == ["a.b@example.com"]
    assert [m.value for m in find_entities("pincode", "Bengaluru - 560 078")] == ["560078"]
