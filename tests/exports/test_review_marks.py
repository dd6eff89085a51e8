"""Every extraction export marks the fields a reviewer should check (missing, or confidence
below FOLIO_EXTRACTION_REVIEW_BELOW) and the fields a reviewer corrected, read from the real
files; the Excel export also carries the documents' tags and custom fields, fills the cells that
need review and explains the marks on a notes sheet."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import httpx
import openpyxl
import pytest

from folio.pipeline.fields.exports.excel import REVIEW_FILL
from folio.pipeline.fields.exports.flatten import LABEL_COLUMNS
from tests.helpers import assert_problem, wait_settled

EXPORT = "/api/v1/exports/extractions"
LETTER = b"""Payment request
From: Northwind Traders Ltd
Reference 2024-118
Amount to pay 1,250.40 EUR
Pay before 2024-04-15
"""
TEMPLATE = {
    "name": "review-letter",
    "fields": [
        {"name": "reference", "locators": [{"kind": "anchor", "labels": ["Reference"]}]},
        {
            "name": "total",
            "type": "money",
            "locators": [{"kind": "anchor", "labels": ["Amount to pay"]}],
        },
        {"name": "due", "type": "date", "locators": [{"kind": "anchor", "labels": ["Pay by"]}]},
    ],
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"extraction_review_below": 0.9}  # found fields score 0.85 here: low confidence


@pytest.fixture
async def reviewed(client: httpx.AsyncClient) -> dict:
    """A letter whose ``reference`` is found with low confidence, ``due`` is missing and
    ``total`` was corrected; tagged and with a custom-field value."""
    template = (await client.post("/api/v1/templates", json=TEMPLATE)).json()
    files = [("files", ("letter.txt", LETTER, "text/plain"))]
    batch = (await client.post("/api/v1/batches", files=files)).json()
    [document] = batch["documents"]
    await wait_settled(client, document["id"])
    applied = await client.post(
        f"/api/v1/templates/{template['id']}/apply", json={"document_ids": [document["id"]]}
    )
    assert applied.status_code == 200, applied.text
    listed = await client.get(f"/api/v1/documents/{document['id']}/extractions")
    stored = listed.json()["items"][0]
    assert stored["review"] == ["reference", "total", "due"]
    assert stored["fields"]["reference"]["value"] == "2024-118"  # found, but below 0.9
    corrected = await client.post(
        f"/api/v1/documents/{document['id']}/extractions/{stored['id']}/corrections",
        json={"field": "total", "value": "1250.40"},
    )
    assert corrected.status_code == 201, corrected.text
    tag = (await client.post("/api/v1/tags", json={"name": "paid"})).json()
    await client.put(f"/api/v1/documents/{document['id']}/tags/{tag['id']}")
    field = (
        await client.post("/api/v1/custom-fields", json={"name": "cost_centre", "type": "text"})
    ).json()
    put = await client.put(
        f"/api/v1/documents/{document['id']}/fields/{field['id']}", json={"value": "CC-7"}
    )
    assert put.status_code == 200, put.text
    return {"document": document["id"], "batch": batch["id"], "template": template["name"]}


async def test_json_and_ndjson_list_the_marks(client: httpx.AsyncClient, reviewed: dict) -> None:
    params = {"template": reviewed["template"]}

    as_json = await client.get(EXPORT, params={**params, "format": "json"})
    as_ndjson = await client.get(EXPORT, params={**params, "format": "ndjson"})

    assert as_json.status_code == 200, as_json.text
    [row] = json.loads(as_json.text)
    assert [json.loads(line) for line in as_ndjson.text.splitlines()] == [row]
    assert row["needs_review"] == ["reference", "due"]
    assert row["corrected"] == ["total"]
    assert row["tags"] == ["paid"] and row["custom_fields"] == {"cost_centre": "CC-7"}
    assert (row["reference"], row["total"], row["due"]) == ("2024-118", 1250.4, None)


async def test_csv_ends_with_labels_and_marks(client: httpx.AsyncClient, reviewed: dict) -> None:
    response = await client.get(EXPORT, params={"template": reviewed["template"], "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["document", "reference", "total", "due", *LABEL_COLUMNS]
    [row] = [dict(zip(rows[0], values, strict=True)) for values in rows[1:]]
    assert row["needs_review"] == "reference;due" and row["corrected"] == "total"
    assert row["tags"] == "paid" and json.loads(row["custom_fields"]) == {"cost_centre": "CC-7"}


async def test_excel_fills_cells_to_review_and_carries_labels(
    client: httpx.AsyncClient, reviewed: dict
) -> None:
    response = await client.get(EXPORT, params={"template": reviewed["template"]})

    assert response.status_code == 200, response.text
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["results"]
    header = [c.value for c in sheet[1]]
    assert header == ["document", "reference", "total", "due", *LABEL_COLUMNS]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["document"].value == reviewed["document"]
    amber = REVIEW_FILL.start_color.rgb
    filled = {name for name, cell in row.items() if cell.fill.start_color.rgb == amber}
    assert filled == {"reference", "due"}  # total was corrected: no longer to review
    assert row["total"].value == 1250.4
    assert row["needs_review"].value == "reference;due" and row["corrected"].value == "total"
    assert row["tags"].value == "paid"
    assert json.loads(row["custom_fields"].value) == {"cost_centre": "CC-7"}
    notes = " ".join(str(c.value) for c in workbook["notes"]["A"])
    assert "FOLIO_EXTRACTION_REVIEW_BELOW" in notes and "corrected" in notes


async def test_results_archive_lists_the_marks(client: httpx.AsyncClient, reviewed: dict) -> None:
    response = await client.get(f"/api/v1/batches/{reviewed['batch']}/results-archive")

    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith("/extractions.json")]
        entry = json.loads(archive.read(name))[reviewed["template"]]
    assert entry["needs_review"] == ["reference", "due"] and entry["corrected"] == ["total"]


async def test_another_team_exports_none_of_it(
    second_client: httpx.AsyncClient, reviewed: dict
) -> None:
    response = await second_client.get(
        EXPORT, params={"template": reviewed["template"], "format": "json"}
    )

    assert_problem(response, 404, "NOT_FOUND")
