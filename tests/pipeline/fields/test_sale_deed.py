"""The ``sale_deed`` template on synthetic deeds rendered to PDF, the 26-column ``Sale_Deeds``
Excel export read back with openpyxl, and validation of the extracted deed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from folio.pipeline import DocumentResult
from folio.pipeline.fields import Rule, apply_template, get_template, validate
from folio.pipeline.fields.exports import (
    SALE_DEED_COLUMNS,
    SALE_DEED_SHEET,
    write_sale_deeds_xlsx,
)

from .sale_deeds import DEEDS

PARTY_KEYS = ["name", "gender", "aadhaar", "pan", "pincode", "state", "email"]


@pytest.fixture(scope="module")
def extractions(deed_results: list[DocumentResult]):
    template = get_template("sale_deed")
    return [apply_template(result, template) for result in deed_results]


@pytest.mark.parametrize("index", range(len(DEEDS)))
def test_document_and_property(extractions, index: int) -> None:
    deed, values = DEEDS[index], extractions[index].values()
    assert values["document_id"] == deed["document_id"]
    assert values["transaction_date"] == deed["transaction_date"]
    assert values["registration_office"] == deed["registration_office"]
    assert values["property"] == deed["property"]


@pytest.mark.parametrize("index", range(len(DEEDS)))
def test_buyers_and_sellers(extractions, index: int) -> None:
    deed, values = DEEDS[index], extractions[index].values()
    for role in ("sellers", "buyers"):
        assert len(values[role]) == len(deed[role])
        for got, want in zip(values[role], deed[role], strict=True):
            assert {k: got[k] for k in PARTY_KEYS} == {k: want[k] for k in PARTY_KEYS}
            assert got["address"].startswith(want["address"])
            digits = [p.lstrip("+").removeprefix("91") for p in got["phones"]]
            assert digits == [
                p.replace(" ", "").lstrip("+").removeprefix("91") for p in want["phones"]
            ]
            if role == "sellers":
                assert got["property_share"] == want["property_share"]


def test_party_values_are_boxed_on_their_page(extractions) -> None:
    seller = extractions[0].fields["sellers"].items[1]
    pan = seller.fields["pan"]
    assert pan.value == "BCDPL5678M" and pan.page == 1 and pan.bbox is not None
    assert seller.fields["name"].method == "regex"


def test_template_rules_pass(extractions) -> None:
    for extraction in extractions:
        assert extraction.validation is not None and extraction.validation.passed


def test_validation_catches_bad_values(extractions) -> None:
    values = extractions[0].values()
    values["buyers"][0]["pan"] = "ABC123"
    values["property"]["pincode"] = "56007"
    rules = [
        *get_template("sale_deed").rules,
        Rule(kind="allowed", field="property.state", values=["Kerala"]),
        Rule(kind="range", field="property.stamp_duty", max=100000),
    ]
    report = validate(values, rules)
    failed = {(r.rule.kind, r.rule.field) for r in report.failures}
    assert failed == {
        ("pattern", "buyers[].pan"),
        ("pattern", "property.pincode"),
        ("allowed", "property.state"),
        ("range", "property.stamp_duty"),
    }
    assert not report.passed


def test_sale_deeds_excel(extractions, tmp_path: Path) -> None:
    path = tmp_path / "whole_data.xlsx"
    rows = write_sale_deeds_xlsx(extractions, path)
    parties = sum(len(d["sellers"]) + len(d["buyers"]) for d in DEEDS)
    assert rows == parties

    ws = openpyxl.load_workbook(path)[SALE_DEED_SHEET]
    header = [c.value for c in ws[1]]
    assert header == SALE_DEED_COLUMNS and len(header) == 26
    for c in ws[1]:
        assert c.font.bold and c.font.color.rgb.endswith("FFFFFF")
        assert c.fill.fgColor.rgb.endswith("4472C4")
        assert c.border.left.style == "thin" and c.alignment.wrap_text
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(data) == parties
    assert [r[0] for r in data] == list(range(1, parties + 1))
    col = {name: i for i, name in enumerate(SALE_DEED_COLUMNS)}
    first = DEEDS[0]
    kinds = [r[col["USER_TYPE"]] for r in data[: len(first["sellers"]) + len(first["buyers"])]]
    assert kinds == ["S"] * len(first["sellers"]) + ["B"] * len(first["buyers"])
    seller = data[0]
    assert seller[col["Name"]] == "Suresh Sharma"
    assert seller[col["Document_ID"]] == first["document_id"]
    assert seller[col["Sale_Consideration"]] == 5000000
    assert seller[col["Cash_Payment"]] == "No"
    assert seller[col["Phone"]] == "9876543220" and seller[col["Secondary_Phone"]] == "9876543221"
    assert seller[col["Property_Share"]] == "60%"
    buyer = data[2]
    assert buyer[col["Property_Share"]] is None  # seller only
    assert ws[2][0].border.left.style == "thin" and ws[2][0].alignment.wrap_text
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["A"] < widths["F"]  # fitted to content, not a constant
