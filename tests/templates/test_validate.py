"""POST /documents/{id}/validate: rules sent or stored on a template, per rule pass / fail."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_problem, upload_ok

from .test_endpoints import create


def url(document: dict) -> str:
    return f"/api/v1/documents/{document['id']}/validate"


async def apply(client: httpx.AsyncClient, template: str, document: dict) -> dict:
    response = await client.post(
        f"/api/v1/templates/{template}/apply", json={"document_ids": [document["id"]]}
    )
    return response.json()["results"][0]


class TestValidate:
    async def test_rules_against_the_stored_extraction(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        applied = await apply(client, "invoice", invoice_doc)
        rules = [
            {"kind": "required", "field": "invoice_number"},
            {"kind": "add", "fields": ["subtotal", "tax"], "field": "total"},
            {"kind": "range", "field": "total", "min": 0, "max": 500},
            {"kind": "allowed", "field": "currency", "values": ["EUR", "USD"]},
            {"kind": "pattern", "field": "iban", "pattern": "NL\\d{2}[A-Z]{4}\\d{10}"},
            {"kind": "required", "field": "due_date"},
        ]

        response = await client.post(url(invoice_doc), json={"rules": rules})

        assert response.status_code == 200, response.text
        report = response.json()
        assert report["extraction_id"] == applied["extraction_id"]
        assert report["template_name"] == "invoice"
        statuses = [r["status"] for r in report["results"]]
        assert statuses == ["pass", "pass", "fail", "pass", "pass", "fail"]
        assert report["passed"] is False and report["failed"] == 2
        addition = report["results"][1]["values"]
        assert addition == {"subtotal": 593.36, "tax": 124.61, "total": 717.97}
        assert report["results"][2]["values"] == {"total": 717.97}

    async def test_a_templates_stored_rules_applied_now(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        template = await create(
            client,
            {
                "name": "checked",
                "fields": [
                    {
                        "name": "number",
                        "locators": [{"kind": "anchor", "labels": ["Factuurnummer"]}],
                    }
                ],
                "rules": [
                    {"kind": "required", "field": "number"},
                    {"kind": "pattern", "field": "number", "pattern": "\\d{9}"},
                ],
            },
        )

        response = await client.post(url(invoice_doc), json={"template_id": template["id"]})

        report = response.json()
        assert report["passed"] is True and report["extraction_id"] is None
        assert report["template_name"] == "checked"
        assert report["results"][1]["values"] == {"number": "993548900"}

    async def test_nothing_to_check_against(
        self, client: httpx.AsyncClient, invoice_doc: dict
    ) -> None:
        rules = {"rules": [{"kind": "required", "field": "total"}]}

        assert_problem(await client.post(url(invoice_doc), json=rules), 409, "NO_EXTRACTION")
        assert_problem(await client.post(url(invoice_doc), json={}), 422, "VALIDATION_ERROR")
        bad_rule = {"rules": [{"kind": "guess", "field": "total"}]}
        assert_problem(await client.post(url(invoice_doc), json=bad_rule), 422, "VALIDATION_ERROR")

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_tenancy(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        document = await upload_ok(client, content=b"Total: 5", filename="a.txt")
        body = {"rules": [{"kind": "required", "field": "total"}], "template_id": "invoice"}

        assert_problem(await second_client.post(url(document), json=body), 404, "NOT_FOUND")
        listed = await second_client.get(f"/api/v1/documents/{document['id']}/extractions")
        assert_problem(listed, 404, "NOT_FOUND")
        # a viewer may check (it only reads); the document is still queued here
        assert_problem(await viewer_client.post(url(document), json=body), 409, "CONFLICT")
