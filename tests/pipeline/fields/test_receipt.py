"""The built-in ``receipt`` template on SROIE receipt photos (OCR: a handful only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from folio.pipeline import OcrEngineName, PipelineOptions
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.scoring import normalized_match

from .conftest import SROIE

pytestmark = pytest.mark.ocr
RECEIPTS = ["005", "080", "100", "115"]
KINDS = {"company": "text", "date": "date", "address": "text", "total": "number"}
OPTIONS = PipelineOptions(ocr_engine=OcrEngineName.rapidocr)


@pytest.fixture(scope="module")
def receipts(corpus: Path, process) -> dict[str, tuple[dict, dict]]:
    template = get_template("receipt")
    out = {}
    for stem in RECEIPTS:
        truth = json.loads((SROIE / "key" / f"{stem}.json").read_text())
        extraction = apply_template(process(SROIE / "img" / f"{stem}.jpg", OPTIONS), template)
        out[stem] = (truth, extraction.values())
    return out


@pytest.mark.parametrize("field", list(KINDS))
def test_field_accuracy(receipts, field: str) -> None:
    hits = [normalized_match(v[field], t[field], KINDS[field]) for t, v in receipts.values()]
    assert sum(hits) >= len(hits) - 1, (field, [v[field] for _, v in receipts.values()])


def test_total_and_date_are_exact(receipts) -> None:
    truth, values = receipts["005"]
    assert values["total"] == float(truth["total"]) == 31.0
    assert values["date"] == "2019-01-09"
    assert values["company"] == "ABC HO TRADING"
