"""Cells from documents and users never reach a spreadsheet as live formulas (issue 25)."""

from __future__ import annotations

import csv
import io
import zipfile

import httpx
import openpyxl
import pytest

from folio.pipeline.cells import inert_cell
from tests.helpers import wait_settled

FILENAME = "=HYPERLINK(1).txt"
TEMPLATE = {
    "name": "reference",
    "fields": [{"name": "reference", "locators": [{"kind": "regex", "pattern": r"Ref:\s*(\S+)"}]}],
}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain = text", "plain = text"),
        (-5, -5),
        (None, None),
    ],
)
def test_inert_cell(value: object, written: object) -> None:
    assert inert_cell(value) == written


@pytest.fixture
async def batch(client: httpx.AsyncClient) -> dict:
    response = await client.post(
        "/api/v1/batches",
        files=[("files", (FILENAME, b"Ref: @SUM(1+1)*cmd|'/c calc'!A1\n", "text/plain"))],
    )
    assert response.status_code == 202, response.text
    for document in response.json()["documents"]:
        await wait_settled(client, document["id"])
    created = await client.post("/api/v1/templates", json=TEMPLATE)
    assert created.status_code == 201, created.text
    applied = await client.post(
        "/api/v1/templates/reference/apply", json={"batch_id": response.json()["id"]}
    )
    assert applied.json()["extracted"] == 1, applied.text
    return response.json()


async def test_xlsx_and_csv_exports_quote_formulas(client: httpx.AsyncClient, batch: dict) -> None:
    params = {"batch_ids": batch["id"], "template": "reference"}
    xlsx = await client.get("/api/v1/exports/extractions", params={**params, "format": "xlsx"})
    as_csv = await client.get("/api/v1/exports/extractions", params={**params, "format": "csv"})

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert "'@SUM(1+1)*cmd|'/c" in {str(c.value) for c in cells}
    assert all(c.data_type != "f" for c in cells)
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[1][1] == "'@SUM(1+1)*cmd|'/c"


async def test_the_results_archive_manifest_quotes_file_names(
    client: httpx.AsyncClient, batch: dict
) -> None:
    response = await client.get(f"/api/v1/batches/{batch['id']}/results-archive")

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert manifest[0]["filename"] == "'" + FILENAME
