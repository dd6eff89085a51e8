"""Through the API: a team template with ``llm`` locators answered by a stand-in
chat-completions server when ``FOLIO_LLM_BASE_URL`` is set, and stored extractions marking
the fields a reviewer should check."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.pipeline.fields.chat_standin import StandIn, chat_standin
from tests.pipeline.fields.test_llm_locators import LETTER

TEMPLATE = {
    "name": "payment-request",
    "fields": [
        {
            "name": "issuer",
            "locators": [{"kind": "llm", "instruction": "Who sends the payment request"}],
        },
        {
            "name": "total",
            "type": "money",
            "locators": [
                {"kind": "llm", "instruction": "The amount to pay"},
                {"kind": "anchor", "labels": ["Amount to pay"]},
            ],
        },
        {"name": "po_number", "locators": [{"kind": "anchor", "labels": ["PO number"]}]},
    ],
}


@pytest.fixture
def server() -> Iterator[StandIn]:
    with chat_standin() as running:
        yield running


@pytest.fixture
def settings_overrides(server: StandIn) -> dict[str, object]:
    return {
        "llm_base_url": server.base_url,
        "llm_model": "stand-in-1",
        "llm_timeout_s": 0.5,
        "extraction_review_below": 0.85,
    }


async def extract(client: httpx.AsyncClient) -> tuple[str, dict]:
    template = await client.post("/api/v1/templates", json=TEMPLATE)
    assert template.status_code == 201, template.text
    document = await upload_ok(client, content=LETTER.encode(), filename="request.txt")
    await wait_settled(client, document["id"])
    applied = await client.post(
        f"/api/v1/templates/{template.json()['id']}/apply",
        json={"document_ids": [document["id"]]},
    )
    assert applied.status_code == 200, applied.text
    listed = await client.get(f"/api/v1/documents/{document['id']}/extractions")
    assert listed.status_code == 200, listed.text
    return document["id"], listed.json()["items"][0]


async def test_llm_fields_are_answered_and_low_confidence_ones_marked(
    client: httpx.AsyncClient, server: StandIn
) -> None:
    _, stored = await extract(client)

    fields = stored["fields"]
    assert stored["values"]["issuer"] == "Northwind Traders Ltd"
    assert fields["issuer"]["method"] == "llm" and fields["issuer"]["llm_response"]
    assert stored["values"]["total"] == 1250.40 and fields["total"]["method"] == "llm"
    assert stored["llm_pending"] == []
    # llm answers carry 0.8, under the 0.85 threshold; po_number is missing
    assert stored["review"] == ["issuer", "total", "po_number"]
    assert all(f["needs_review"] for f in fields.values())
    assert len(server.requests) == 2


async def test_a_failing_endpoint_keeps_the_rule_value(
    client: httpx.AsyncClient, server: StandIn
) -> None:
    server.behaviour = "slow"

    _, stored = await extract(client)

    assert stored["values"]["total"] == 1250.40
    assert stored["fields"]["total"]["method"] == "anchor:right_of"
    assert stored["values"]["issuer"] is None
    assert any("issuer: LLM answer not used" in w for w in stored["warnings"])


async def test_another_team_cannot_read_the_extractions(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    document_id, _ = await extract(client)

    assert_problem(
        await second_client.get(f"/api/v1/documents/{document_id}/extractions"), 404, "NOT_FOUND"
    )
