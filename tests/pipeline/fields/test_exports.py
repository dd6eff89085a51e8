"""Generic exports: Excel (one row per document + item sheets), CSV, JSON and NDJSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from folio.pipeline.fields import ExtractionResult, apply_template, get_template
from folio.pipeline.fields.exports import (
    write_csv,
    write_generic_xlsx,
    write_json,
    write_ndjson,
)

from .conftest import INVOICES

DOCS = ["saeco.pdf", "coolblue1.pdf", "AzureInterior.pdf"]


@pytest.fixture(scope="module")
def records(corpus: Path, process) -> list[tuple[str, ExtractionResult]]:
    template = get_template("invoice")
    return [(name, apply_template(process(INVOICES / name), template)) for name in DOCS]


def test_generic_excel(records, tmp_path: Path) -> None:
    path = tmp_path / "invoices.xlsx"
    assert write_generic_xlsx(records, path, get_template("invoice")) == len(DOCS)
    wb = openpyxl.load_workbook(path)
    ws = wb["results"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["document", "issuer", "invoice_number"]
    assert "line_items.count" in header and "vat_ids" in header
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == DOCS
    coolblue = dict(zip(header, rows[1], strict=True))
    assert coolblue["total"] == 717.97 and coolblue["vat_ids"] == "NL810433941B01"
    assert ws[1][0].font.bold and ws[1][0].fill.fgColor.rgb.endswith("4472C4")
    items = wb["line_items"]
    item_rows = [[c.value for c in r] for r in items.iter_rows(min_row=2)]
    assert item_rows[0][:3] == ["saeco.pdf", 1, "Onderhoudsset CA6707/10"]
    assert len(item_rows) == sum(len(r.values()["line_items"]) for _, r in records)


def test_generic_excel_without_template(records, tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    write_generic_xlsx([(n, r.values()) for n, r in records], path)
    header = [c.value for c in openpyxl.load_workbook(path)["results"][1]]
    assert header[0] == "document" and "total" in header


def test_csv(records) -> None:
    buf = io.BytesIO()
    assert write_csv(records, buf, get_template("invoice")) == len(DOCS)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue().decode())))
    assert [r["document"] for r in rows] == DOCS
    assert rows[1]["total"] == "717.97" and rows[1]["iban"] == "NL50INGB0683251309"


def test_json_and_ndjson(records, tmp_path: Path) -> None:
    buf = io.BytesIO()
    write_json(records, buf)
    docs = json.loads(buf.getvalue())
    assert [d["document"] for d in docs] == DOCS and docs[1]["total"] == 717.97

    path = tmp_path / "out.ndjson"
    assert write_ndjson(records, path, full=True) == len(DOCS)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    total = lines[1]["result"]["fields"]["total"]
    assert total["value"] == 717.97 and total["bbox"] and total["page"] == 1
    assert ExtractionResult.model_validate(lines[1]["result"]).values()["total"] == 717.97


def test_exports_stream_from_a_generator(records, tmp_path: Path) -> None:
    """Exports take any iterable: a generator over many documents is read once."""
    many = ((f"doc{i}", records[i % len(records)][1]) for i in range(1200))
    path = tmp_path / "many.xlsx"
    assert write_generic_xlsx(many, path, get_template("invoice")) == 1200
    ws = openpyxl.load_workbook(path, read_only=True)["results"]
    assert sum(1 for _ in ws.iter_rows(values_only=True)) == 1201
