from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import assert_problem, upload, upload_ok, wait_settled
from tests.pipeline.fields.sale_deeds import DEEDS

PO_TEMPLATE = {
    "name": "purchase-order",
    "description": "Order number and total",
    "fields": [
        {
            "name": "order_number",
            "locators": [{"kind": "regex", "pattern": r"Order\s*(?:No\.?|number)[:\s]*(\w+)"}],
        },
        {"name": "total", "type": "money", "locators": [{"kind": "anchor", "labels": ["Total"]}]},
    ],
    "rules": [{"kind": "required", "field": "total"}],
}
INVOICE_NUMBER = {
    "name": "invoice_number",
    "locators": [{"kind": "anchor", "labels": ["Factuurnummer", "Invoice number"]}],
}


async def create(client: httpx.AsyncClient, body: dict | None = None) -> dict:
    response = await client.post("/api/v1/templates", json=body or PO_TEMPLATE)
    assert response.status_code == 201, response.text
    return response.json()


class TestTemplateCrud:
    async def test_create_get_and_list_with_builtins(self, client: httpx.AsyncClient) -> None:
        created = await create(client)

        assert created["id"].startswith("tpl_")
        assert created["version"] == 1 and created["builtin"] is False
        fetched = (await client.get(f"/api/v1/templates/{created['id']}")).json()
        assert fetched["fields"][0]["name"] == "order_number"
        listed = (await client.get("/api/v1/templates")).json()["items"]
        names = [t["name"] for t in listed]
        assert names[:4] == ["invoice", "receipt", "sale_deed", "key_values"]
        assert "purchase-order" in names
        assert all(t["builtin"] for t in listed[:4])

    async def test_update_makes_a_new_version_and_keeps_the_old(
        self, client: httpx.AsyncClient
    ) -> None:
        created = await create(client)
        url = f"/api/v1/templates/{created['id']}"

        updated = await client.patch(url, json={"fields": [INVOICE_NUMBER]})

        assert updated.status_code == 200, updated.text
        assert updated.json()["version"] == 2
        assert [f["name"] for f in updated.json()["fields"]] == ["invoice_number"]
        assert updated.json()["rules"] == created["rules"]
        versions = (await client.get(f"{url}/versions")).json()
        assert [v["version"] for v in versions] == [2, 1]
        assert versions[1]["fields"][0]["name"] == "order_number"

    async def test_builtins_are_read_only(self, client: httpx.AsyncClient) -> None:
        builtin = await client.get("/api/v1/templates/sale_deed")
        assert builtin.status_code == 200 and builtin.json()["builtin"] is True

        assert_problem(
            await client.patch("/api/v1/templates/invoice", json={"description": "x"}),
            409,
            "TEMPLATE_READ_ONLY",
        )
        assert_problem(await client.delete("/api/v1/templates/invoice"), 409, "TEMPLATE_READ_ONLY")

    async def test_names_are_unique_per_team_and_never_a_builtin(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        await create(client)
        again = await client.post("/api/v1/templates", json=PO_TEMPLATE)
        builtin = await client.post("/api/v1/templates", json={**PO_TEMPLATE, "name": "invoice"})

        assert_problem(again, 409, "TEMPLATE_NAME_TAKEN")
        assert_problem(builtin, 409, "TEMPLATE_NAME_TAKEN")
        assert (await second_client.post("/api/v1/templates", json=PO_TEMPLATE)).status_code == 201

    async def test_bad_regex_is_a_422_naming_the_field(self, client: httpx.AsyncClient) -> None:
        bad = {
            **PO_TEMPLATE,
            "fields": [{"name": "x", "locators": [{"kind": "regex", "pattern": "(("}]}],
        }

        body = assert_problem(
            await client.post("/api/v1/templates", json=bad), 422, "VALIDATION_ERROR"
        )

        assert body["errors"][0]["field"] == "fields[0].locators[0].pattern"

    async def test_delete(self, client: httpx.AsyncClient) -> None:
        created = await create(client)

        assert (await client.delete(f"/api/v1/templates/{created['id']}")).status_code == 204
        assert_problem(await client.get(f"/api/v1/templates/{created['id']}"), 404, "NOT_FOUND")


class TestTenancy:
    async def test_other_team_gets_404_and_viewer_403(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        created = await create(client)
        url = f"/api/v1/templates/{created['id']}"

        assert_problem(await second_client.get(url), 404, "NOT_FOUND")
        assert_problem(await second_client.patch(url, json={"description": "x"}), 404, "NOT_FOUND")
        assert_problem(await second_client.delete(url), 404, "NOT_FOUND")
        listed = (await second_client.get("/api/v1/templates")).json()["items"]
        assert created["id"] not in [t["id"] for t in listed]
        assert (await viewer_client.get(url)).status_code == 200
        assert_problem(
            await viewer_client.post("/api/v1/templates", json=PO_TEMPLATE), 403, "FORBIDDEN"
        )
        assert_problem(await viewer_client.delete(url), 403, "FORBIDDEN")

    async def test_apply_on_another_teams_document_is_404(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"Total: 12.00 EUR", filename="t.txt")

        response = await second_client.post(
            "/api/v1/templates/invoice/apply", json={"document_ids": [document["id"]]}
        )

        assert_problem(response, 404, "NOT_FOUND")


class TestApply:
    async def test_builtin_invoice_on_a_corpus_invoice(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        response = await client.post(
            "/api/v1/templates/invoice/apply", json={"document_ids": [invoice_doc["id"]]}
        )

        assert response.status_code == 200, response.text
        applied = response.json()
        assert applied["extracted"] == 1 and applied["template_name"] == "invoice"
        item = applied["results"][0]
        assert item["values"]["total"] == 717.97
        assert item["values"]["currency"] == "EUR"
        assert item["document_version"] == 1
        stored = (await client.get(f"/api/v1/documents/{invoice_doc['id']}/extractions")).json()
        extraction = stored["items"][0]
        assert extraction["id"] == item["extraction_id"]
        total = extraction["fields"]["total"]
        assert total["value"] == 717.97 and total["raw"] and total["page"] == 1
        assert total["confidence"] > 0.5 and len(total["bbox"]) == 4
        await client.post(
            "/api/v1/templates/key_values/apply", json={"document_ids": [invoice_doc["id"]]}
        )
        url = f"/api/v1/documents/{invoice_doc['id']}/extractions"
        everything = (await client.get(url)).json()["items"]
        invoices = (await client.get(url, params={"template": "invoice"})).json()["items"]
        first_page = await client.get(url, params={"limit": 1})
        assert [e["template_name"] for e in everything] == ["key_values", "invoice"]
        assert [e["id"] for e in invoices] == [item["extraction_id"]]
        assert first_page.json()["has_more"] is True
        second_page = await client.get(
            url, params={"limit": 1, "cursor": first_page.json()["next_cursor"]}
        )
        assert second_page.json()["items"][0]["template_name"] == "invoice"

    async def test_team_template_applies_its_own_locators(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        created = await create(client, {**PO_TEMPLATE, "fields": [INVOICE_NUMBER]})

        applied = await client.post(
            f"/api/v1/templates/{created['id']}/apply", json={"document_ids": [invoice_doc["id"]]}
        )

        assert applied.json()["results"][0]["values"] == {"invoice_number": "993548900"}
        assert applied.json()["template_version"] == 1

    async def test_sale_deed_on_a_batch(self, client: httpx.AsyncClient, deed_batch: dict) -> None:
        response = await client.post(
            "/api/v1/templates/sale_deed/apply", json={"batch_id": deed_batch["id"]}
        )

        applied = response.json()
        assert applied["extracted"] == len(DEEDS)
        got = sorted(item["values"]["document_id"] for item in applied["results"])
        assert got == sorted(deed["document_id"] for deed in DEEDS)

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_unprocessed_document_is_reported_not_ready(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"Total: 5", filename="a.txt")

        applied = (
            await client.post(
                "/api/v1/templates/key_values/apply", json={"document_ids": [document["id"]]}
            )
        ).json()

        assert applied["not_ready"] == 1 and applied["extracted"] == 0
        assert applied["results"][0]["status"] == "not_ready"
        assert "queued" in applied["results"][0]["detail"]

    async def test_needs_documents_or_a_batch(self, client: httpx.AsyncClient) -> None:
        assert_problem(
            await client.post("/api/v1/templates/invoice/apply", json={}), 422, "VALIDATION_ERROR"
        )


class TestRequestedTemplate:
    async def test_a_batch_uploaded_with_a_template_is_exportable_at_once(
        self, client: httpx.AsyncClient, deed_files: list[Path]
    ) -> None:
        files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in deed_files]
        response = await client.post(
            "/api/v1/batches", files=files, data={"options": '{"template": "sale_deed"}'}
        )
        batch = response.json()
        for document in batch["documents"]:
            await wait_settled(client, document["id"])

        stored = await client.get(f"/api/v1/documents/{batch['documents'][0]['id']}/extractions")
        export = await client.get(
            "/api/v1/exports/extractions", params={"batch_ids": batch["id"], "format": "ndjson"}
        )

        extraction = stored.json()["items"][0]
        assert extraction["template_name"] == "sale_deed" and extraction["document_version"] == 1
        ids = sorted(json.loads(line)["document_id"] for line in export.text.splitlines())
        assert ids == sorted(deed["document_id"] for deed in DEEDS)

    async def test_an_unknown_or_foreign_template_is_refused(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        theirs = await create(second_client)

        unknown = await upload(client, content=b"x", filename="a.txt", options={"template": "nope"})
        foreign = await upload(
            client, content=b"x", filename="a.txt", options={"template": theirs["id"]}
        )

        body = assert_problem(unknown, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "options.template"
        assert_problem(foreign, 422, "VALIDATION_ERROR")
        assert (await client.get("/api/v1/documents")).json()["items"] == []
