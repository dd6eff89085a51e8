"""The ``sale_deed`` template on committed deeds in four layouts (prose, parties table, US
warranty deed, a scanned UK transfer that must be OCR'd), each checked against the ground
truth beside it; the ``Sale_Deeds`` workbook is written for them unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from folio.pipeline import PipelineOptions, process_file
from folio.pipeline.fields import ExtractionResult, apply_template, get_template
from folio.pipeline.fields.exports import SALE_DEED_COLUMNS, write_sale_deeds_xlsx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sale_deeds"
TEXT_LAYOUTS = ["in_prose", "in_table", "us_warranty"]
PROPERTY = {"sale_consideration", "stamp_duty", "registration_fee"}


def _extract(name: str) -> tuple[dict[str, Any], ExtractionResult]:
    truth = json.loads((FIXTURES / f"{name}.json").read_text())
    result = process_file(FIXTURES / f"{name}.pdf", PipelineOptions())
    return truth, apply_template(result, get_template("sale_deed"))


@pytest.fixture(scope="module")
def text_deeds() -> dict[str, tuple[dict[str, Any], ExtractionResult]]:
    return {name: _extract(name) for name in TEXT_LAYOUTS}


def check(truth: dict[str, Any], extraction: ExtractionResult) -> None:
    values = extraction.values()
    assert values["document_id"] == truth["document_id"]
    assert values["transaction_date"] == truth["transaction_date"]
    for role in ("sellers", "buyers"):
        assert [party["name"] for party in values[role]] == truth[role]
        assert all(item.confidence > 0 for item in extraction.fields[role].items or [])
    prop = extraction.fields["property"].fields or {}
    assert prop["schedule_c_address"].value == truth["property"]["address"]
    for name in PROPERTY:
        assert prop[name].value == truth["property"][name], name
        assert prop[name].confidence > 0 and prop[name].bbox is not None


@pytest.mark.parametrize("name", TEXT_LAYOUTS)
def test_text_layouts(text_deeds, name: str) -> None:
    check(*text_deeds[name])


@pytest.mark.ocr
def test_scanned_transfer_is_read_through_ocr() -> None:
    truth, extraction = _extract("uk_transfer_scan")

    check(truth, extraction)
    assert extraction.fields["sellers"].items[0].page == 1


def test_the_sale_deeds_workbook_keeps_its_columns(text_deeds, tmp_path: Path) -> None:
    path = tmp_path / "whole_data.xlsx"
    written = write_sale_deeds_xlsx([e for _, e in text_deeds.values()], path)

    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [c for c in rows[0] if c] == [c for c in SALE_DEED_COLUMNS if c]
    assert written == len(rows) - 1 and written >= 3
