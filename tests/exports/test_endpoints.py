from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import openpyxl
import pypdfium2
import pytest

from folio.pipeline.fields.exports import SALE_DEED_COLUMNS
from folio.pipeline.fields.exports.flatten import LABEL_COLUMNS
from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.pipeline.fields.sale_deeds import DEEDS

EXPORT = "/api/v1/exports/extractions"
PARTIES = sum(len(d["sellers"]) + len(d["buyers"]) for d in DEEDS)
BROKEN_PDF = b"%PDF-1.7\n" + bytes(range(256)) * 10


def filename(response: httpx.Response) -> str:
    disposition = response.headers["content-disposition"]
    return disposition.split('filename="')[1].split('"')[0]


@pytest.fixture
async def deeds(client: httpx.AsyncClient, deed_batch: dict) -> dict:
    response = await client.post(
        "/api/v1/templates/sale_deed/apply", json={"batch_id": deed_batch["id"]}
    )
    assert response.json()["extracted"] == len(DEEDS)
    return deed_batch


class TestSaleDeedsExcel:
    async def test_the_26_column_sheet_of_a_batch(
        self, client: httpx.AsyncClient, deeds: dict
    ) -> None:
        response = await client.get(EXPORT, params={"batch_ids": deeds["id"]})

        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert filename(response) == "Deeds_Nov.xlsx"
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = workbook["Sale_Deeds"]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == SALE_DEED_COLUMNS and len(SALE_DEED_COLUMNS) == 26
        assert len(rows) - 1 == PARTIES
        assert [r[0] for r in rows[1:]] == list(range(1, PARTIES + 1))
        assert {r[1] for r in rows[1:]} == {"S", "B"}
        header = sheet.cell(row=1, column=1)
        assert header.font.bold and header.font.color.rgb.endswith("FFFFFF")
        assert header.fill.start_color.rgb.endswith("4472C4")
        assert sheet.cell(row=2, column=16).alignment.wrap_text
        documents = {r[2] for r in rows[1:]}
        assert documents == {d["document_id"] for d in DEEDS}
        labelled = list(workbook["documents"].iter_rows(values_only=True))
        assert list(labelled[0]) == ["document", *LABEL_COLUMNS]
        assert {r[0] for r in labelled[1:]} == {d["id"] for d in deeds["documents"]}

    async def test_filenames_follow_the_filters(
        self, client: httpx.AsyncClient, deeds: dict, deed_files: list[Path]
    ) -> None:
        second = await client.post(
            "/api/v1/batches",
            files=[("files", ("d.pdf", deed_files[0].read_bytes(), "application/pdf"))],
        )
        for document in second.json()["documents"]:
            await wait_settled(client, document["id"])
        await client.post(
            "/api/v1/templates/sale_deed/apply", json={"batch_id": second.json()["id"]}
        )
        today = datetime.now(UTC).date()

        whole = await client.get(EXPORT)
        both = await client.get(
            EXPORT, params={"batch_ids": f"{deeds['id']},{second.json()['id']}"}
        )
        dates = await client.get(
            EXPORT, params={"start_date": str(today - timedelta(days=1)), "end_date": str(today)}
        )
        first_one = await client.get(EXPORT, params={"start_index": 0, "end_index": 1})

        assert filename(whole) == "whole_data.xlsx"
        assert filename(both) == "multiple_batches_2.xlsx"
        assert filename(dates) == f"{today - timedelta(days=1)}_to_{today}.xlsx"
        assert filename(first_one) == "0_to_1.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(first_one.content))["Sale_Deeds"]
        assert len({row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}) == 1
        whole_rows = openpyxl.load_workbook(io.BytesIO(whole.content))["Sale_Deeds"].max_row
        assert whole_rows - 1 == PARTIES + len(DEEDS[0]["sellers"]) + len(DEEDS[0]["buyers"])

    async def test_nothing_matching_is_404_and_bad_ranges_422(
        self, client: httpx.AsyncClient, deeds: dict
    ) -> None:
        future = datetime.now(UTC).date() + timedelta(days=30)

        assert_problem(
            await client.get(EXPORT, params={"start_date": str(future)}), 404, "NOT_FOUND"
        )
        assert_problem(await client.get(EXPORT, params={"template": "receipt"}), 404, "NOT_FOUND")
        assert_problem(
            await client.get(EXPORT, params={"start_date": "2024-02-01", "end_date": "2024-01-01"}),
            422,
            "VALIDATION_ERROR",
        )
        assert_problem(
            await client.get(EXPORT, params={"template": "invoice", "layout": "sale_deeds"}),
            422,
            "VALIDATION_ERROR",
        )


class TestOtherFormats:
    async def test_csv_json_and_ndjson(self, client: httpx.AsyncClient, deeds: dict) -> None:
        params = {"batch_ids": deeds["id"]}

        sheet_csv = await client.get(EXPORT, params={**params, "format": "csv"})
        generic_csv = await client.get(
            EXPORT, params={**params, "format": "csv", "layout": "generic"}
        )
        as_json = await client.get(EXPORT, params={**params, "format": "json"})
        as_ndjson = await client.get(EXPORT, params={**params, "format": "ndjson"})

        rows = list(csv.reader(io.StringIO(sheet_csv.text)))
        assert rows[0] == SALE_DEED_COLUMNS and len(rows) - 1 == PARTIES
        assert filename(sheet_csv) == "Deeds_Nov.csv"
        generic = list(csv.DictReader(io.StringIO(generic_csv.text)))
        assert len(generic) == len(DEEDS)
        assert {r["property.pincode"] for r in generic} == {d["property"]["pincode"] for d in DEEDS}
        documents = json.loads(as_json.text)
        assert sorted(d["document_id"] for d in documents) == sorted(
            d["document_id"] for d in DEEDS
        )
        lines = [json.loads(line) for line in as_ndjson.text.splitlines()]
        assert len(lines) == len(DEEDS) and all(
            line["document"].startswith("doc_") for line in lines
        )
        assert as_ndjson.headers["content-type"].startswith("application/x-ndjson")

    async def test_generic_excel_of_invoices(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        await client.post(
            "/api/v1/templates/invoice/apply", json={"document_ids": [invoice_doc["id"]]}
        )

        tag = (await client.post("/api/v1/tags", json={"name": "exported"})).json()
        await client.put(f"/api/v1/documents/{invoice_doc['id']}/tags/{tag['id']}")

        response = await client.get(EXPORT, params={"template": "invoice"})
        as_ndjson = await client.get(EXPORT, params={"template": "invoice", "format": "ndjson"})
        as_csv = await client.get(EXPORT, params={"template": "invoice", "format": "csv"})

        [line] = [json.loads(text) for text in as_ndjson.text.splitlines()]
        assert line["tags"] == ["exported"] and line["custom_fields"] == {}
        [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert row["tags"] == "exported" and row["total"] == "717.97"
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        results = list(workbook["results"].iter_rows(values_only=True))
        header = list(results[0])
        assert results[1][header.index("total")] == 717.97
        items = list(workbook["line_items"].iter_rows(values_only=True))
        assert len(items) > 2


class TestFiles:
    async def test_searchable_pdf_of_a_scan(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus("tesseract_test/testing/phototest.tif"))
        await wait_settled(client, document["id"])

        response = await client.get(f"/api/v1/documents/{document['id']}/searchable-pdf")

        assert response.status_code == 200, response.text
        assert response.headers["x-folio-text-layer-pages"] == "1"
        assert filename(response) == "phototest.searchable.pdf"
        pdf = pypdfium2.PdfDocument(response.content)
        text = pdf[0].get_textpage().get_text_range()
        assert "quick brown" in text

    async def test_searchable_pdf_needs_a_pdf_or_image(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"plain words", filename="n.txt")
        await wait_settled(client, document["id"])

        response = await client.get(f"/api/v1/documents/{document['id']}/searchable-pdf")

        assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")

    async def test_zip_of_failed_originals_and_of_results(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        files = [
            ("files", ("broken.pdf", BROKEN_PDF, "application/pdf")),
            ("files", ("good.txt", b"Invoice total: 10.00", "text/plain")),
        ]
        batch = (await client.post("/api/v1/batches", files=files)).json()
        for document in batch["documents"]:
            await wait_settled(client, document["id"])
        base = f"/api/v1/batches/{batch['id']}"

        failed = await client.get(f"{base}/failed-originals")
        results = await client.get(f"{base}/results-archive")

        assert failed.status_code == 200, failed.text
        assert filename(failed).startswith("failed_")
        archive = zipfile.ZipFile(io.BytesIO(failed.content))
        assert archive.read("0001_broken.pdf") == BROKEN_PDF
        manifest = list(csv.reader(io.StringIO(archive.read("failures.csv").decode())))
        assert manifest[1][0] == "0001_broken.pdf" and manifest[1][2]
        contents = zipfile.ZipFile(io.BytesIO(results.content))
        names = contents.namelist()
        assert "manifest.csv" in names and "0001_good.txt/text.txt" in names
        assert contents.read("0001_good.txt/text.txt").decode().strip() == "Invoice total: 10.00"
        assert json.loads(contents.read("0001_good.txt/results.json"))["version"] == 1
        assert_problem(await second_client.get(f"{base}/failed-originals"), 404, "NOT_FOUND")
        team_wide = await client.get("/api/v1/exports/failed-originals")
        assert filename(team_wide).startswith("failed_documents_")
        assert zipfile.ZipFile(io.BytesIO(team_wide.content)).read("0001_broken.pdf") == BROKEN_PDF
        assert_problem(
            await second_client.get("/api/v1/exports/failed-originals"), 404, "NOT_FOUND"
        )
        assert_problem(await second_client.get(f"{base}/results-archive"), 404, "NOT_FOUND")


class TestTenancy:
    async def test_other_team_cannot_export_and_viewer_can(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
        deeds: dict,
    ) -> None:
        assert_problem(
            await second_client.get(EXPORT, params={"batch_ids": deeds["id"]}), 404, "NOT_FOUND"
        )
        assert_problem(await second_client.get(EXPORT), 404, "NOT_FOUND")
        assert (
            await viewer_client.get(EXPORT, params={"batch_ids": deeds["id"]})
        ).status_code == 200
