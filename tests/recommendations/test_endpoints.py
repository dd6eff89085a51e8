"""Recommendations with stable ids, implemented as actions pending review, then run or refused."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

pytestmark = pytest.mark.parametrize("settings_overrides", [{"analysis_enabled": True}])
INVOICE = "invoice2data/tests/compare/AzureInterior.pdf"  # e-mail and phone; an embedded file
PII_TEXT = b"Customer: Jane Doe, jane.doe@example.com. Card 4111 1111 1111 1111.\n"


async def recommendations_of(client: httpx.AsyncClient, document_id: str) -> dict[str, dict]:
    response = await client.get(f"/api/v1/documents/{document_id}/recommendations")
    assert response.status_code == 200, response.text
    return {r["code"]: r for r in response.json()["items"]}


async def processed(client: httpx.AsyncClient, path=None, **kwargs) -> str:
    document = await upload_ok(client, path, **kwargs)
    await wait_settled(client, document["id"])
    return document["id"]


async def implement(client: httpx.AsyncClient, recommendation_id: str, **body) -> httpx.Response:
    return await client.post(f"/api/v1/recommendations/{recommendation_id}/implement", json=body)


async def test_redaction_is_pending_until_approved(
    client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    document_id = await processed(client, corpus(INVOICE))
    listed = await recommendations_of(client, document_id)
    again = await recommendations_of(client, document_id)
    redact = listed["REDACT_PII"]
    assert redact["id"] == again["REDACT_PII"]["id"] and redact["status"] == "open"
    assert redact["action"] == "redaction_job" and "email" in redact["entity_types"]

    created = await implement(client, redact["id"])
    duplicate = await implement(client, redact["id"])
    by_viewer = await viewer_client.post(
        f"/api/v1/recommendation-actions/{created.json()['id']}/approve", json={}
    )

    assert created.status_code == 201, created.text
    action = created.json()
    assert action["kind"] == "redaction" and action["status"] == "pending_review"
    assert action["parameters"]["entity_types"] == sorted(redact["entity_types"])
    assert_problem(duplicate, 409, "CONFLICT")
    assert_problem(by_viewer, 403, "FORBIDDEN")
    assert (await client.get(f"/api/v1/documents/{document_id}/redactions")).json()["items"] == []
    assert (await recommendations_of(client, document_id))["REDACT_PII"]["status"] == (
        "pending_review"
    )

    approved = await client.post(
        f"/api/v1/recommendation-actions/{action['id']}/approve", json={"note": "ok"}
    )

    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert done["status"] == "completed" and done["reviewed_by"] and done["review_note"] == "ok"
    redaction = (await client.get(f"/api/v1/redactions/{done['result']['redaction_id']}")).json()
    assert redaction["document_id"] == document_id and redaction["counts"]["email"] == 1
    assert (await client.get(redaction["file_url"])).status_code == 200
    replay = await client.post(f"/api/v1/recommendation-actions/{action['id']}/approve", json={})
    assert_problem(replay, 409, "CONFLICT")


async def test_review_action_can_be_rejected(client: httpx.AsyncClient) -> None:
    document_id = await processed(client, corpus(INVOICE))
    quarantine = (await recommendations_of(client, document_id))["QUARANTINE_FILE"]

    action = (await implement(client, quarantine["id"], note="check the attachment")).json()
    rejected = await client.post(
        f"/api/v1/recommendation-actions/{action['id']}/reject", json={"note": "known file"}
    )

    assert action["kind"] == "review" and action["note"] == "check the attachment"
    assert rejected.json()["status"] == "rejected"
    listed = await client.get("/api/v1/recommendation-actions", params={"status": "rejected"})
    assert [a["id"] for a in listed.json()["items"]] == [action["id"]]
    status = (await recommendations_of(client, document_id))["QUARANTINE_FILE"]["status"]
    assert status == "rejected"
    assert (await implement(client, quarantine["id"])).status_code == 201  # may be tried again


async def test_text_documents_cannot_be_redacted_into_pdf(client: httpx.AsyncClient) -> None:
    document_id = await processed(client, content=PII_TEXT, filename="c.txt")
    redact = (await recommendations_of(client, document_id))["REDACT_PII"]

    assert_problem(await implement(client, redact["id"]), 422, "UNPROCESSABLE_DOCUMENT")


async def test_other_team_sees_nothing(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    document_id = await processed(client, corpus(INVOICE))
    redact = (await recommendations_of(client, document_id))["REDACT_PII"]
    action = (await implement(client, redact["id"])).json()

    listed = await second_client.get(f"/api/v1/documents/{document_id}/recommendations")
    implemented = await implement(second_client, redact["id"])
    read = await second_client.get(f"/api/v1/recommendation-actions/{action['id']}")
    approved = await second_client.post(
        f"/api/v1/recommendation-actions/{action['id']}/approve", json={}
    )
    actions = (await second_client.get("/api/v1/recommendation-actions")).json()["items"]

    for response in (listed, implemented, read, approved):
        assert_problem(response, 404, "NOT_FOUND")
    assert actions == []
