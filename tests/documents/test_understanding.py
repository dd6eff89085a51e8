"""Analysis in processing: classification, entities with positions, PII, compliance."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import upload_ok, wait_settled

pytestmark = pytest.mark.parametrize("settings_overrides", [{"analysis_enabled": True}])
INVOICE = "invoice2data/tests/compare/AzureInterior.pdf"
PII_TEXT = (
    b"Customer: Jane Doe, jane.doe@example.com, IBAN DE89 3704 0044 0532 0130 00.\n"
    b"Card on file 4111 1111 1111 1111. Please call +49 30 901820.\n"
)


async def results_of(client: httpx.AsyncClient, document_id: str) -> dict:
    response = await client.get(f"/api/v1/documents/{document_id}/results")
    assert response.status_code == 200, response.text
    return response.json()


async def test_invoice_is_classified_with_positioned_entities(
    client: httpx.AsyncClient,
) -> None:
    document = await upload_ok(client, corpus(INVOICE))
    settled = await wait_settled(client, document["id"])
    results = await results_of(client, document["id"])

    understanding = results["intelligence"]
    assert settled["document_type"] == "invoice"
    assert understanding["classification"]["document_type"] == "invoice"
    assert understanding["entities"]
    page_texts = {page["number"]: page["text"] for page in results["pages"]}
    for entity in understanding["entities"]:
        if entity.get("page") and entity.get("start") is not None:
            text = page_texts[entity["page"]][entity["start"] : entity["end"]]
            assert text == entity["text"], entity
            assert entity["bbox"] is not None
    invoices = (await client.get("/api/v1/documents", params={"type": "invoice"})).json()
    assert [d["id"] for d in invoices["items"]] == [document["id"]]


async def test_pii_is_detected_and_validated(client: httpx.AsyncClient) -> None:
    document = await upload_ok(
        client,
        content=PII_TEXT,
        filename="customer.txt",
        options={"compliance_frameworks": ["gdpr", "pci_dss"]},
    )
    settled = await wait_settled(client, document["id"])
    understanding = (await results_of(client, document["id"]))["intelligence"]

    assert settled["pii_detected"] is True
    assert {"email", "iban", "credit_card"} <= set(understanding["pii"]["types"])
    frameworks = {finding["framework"] for finding in understanding["compliance"]}
    assert {"gdpr", "pci_dss"} <= frameworks
    assert any(r["code"] == "REDACT_PII" for r in understanding["recommendations"])


async def test_analysis_can_be_turned_off_per_upload(client: httpx.AsyncClient) -> None:
    document = await upload_ok(
        client, content=PII_TEXT, filename="quiet.txt", options={"analyze": False}
    )
    settled = await wait_settled(client, document["id"])

    assert settled["pii_detected"] is None and settled["document_type"] is None
    assert (await results_of(client, document["id"]))["intelligence"] is None


async def test_unknown_compliance_framework_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/documents",
        files={"file": ("a.txt", b"text")},
        data={"options": '{"compliance_frameworks": ["iso"]}'},
    )

    assert response.status_code == 422
