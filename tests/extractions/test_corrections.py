"""Correcting one field of a stored extraction: the value is normalised to the field's type,
kept with the value it replaced, used by validation, audited, and refused (422, nothing
changed) for an unknown field or a value that does not fit; another team gets 404."""

from __future__ import annotations

import httpx

from tests.helpers import assert_problem, upload_ok, wait_settled

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
    "rules": [{"name": "enough", "field": "total", "kind": "range", "min": 2000}],
}


async def extracted(client: httpx.AsyncClient) -> tuple[str, dict]:
    template = await client.post("/api/v1/templates", json=TEMPLATE)
    assert template.status_code == 201, template.text
    document = await upload_ok(client, content=LETTER, filename="letter.txt")
    await wait_settled(client, document["id"])
    applied = await client.post(
        f"/api/v1/templates/{template.json()['id']}/apply",
        json={"document_ids": [document["id"]]},
    )
    assert applied.status_code == 200, applied.text
    listed = await client.get(f"/api/v1/documents/{document['id']}/extractions")
    return document["id"], listed.json()["items"][0]


async def test_a_corrected_field_is_kept_with_its_history_validated_and_audited(
    client: httpx.AsyncClient,
) -> None:
    document_id, stored = await extracted(client)
    assert stored["values"]["total"] == 1250.40
    assert "due" in stored["review"]  # missing: the label is "Pay before"
    path = f"/api/v1/documents/{document_id}/extractions/{stored['id']}/corrections"

    total = await client.post(path, json={"field": "total", "value": "2.500,00"})
    due = await client.post(path, json={"field": "due", "value": "2024-04-15"})

    assert total.status_code == 201, total.text
    assert total.json()["value"] == 2500.0 and total.json()["previous_value"] == 1250.40
    assert due.status_code == 201 and due.json()["previous_value"] is None
    after = (await client.get(f"/api/v1/documents/{document_id}/extractions")).json()["items"][0]
    assert after["values"] == {**stored["values"], "total": 2500.0, "due": "2024-04-15"}
    assert after["fields"]["total"]["method"] == "corrected"
    assert after["fields"]["total"]["confidence"] == 1.0
    assert "due" not in after["review"] and "total" not in after["review"]
    history = (await client.get(path)).json()["items"]
    assert [c["field"] for c in history] == ["due", "total"]
    checked = await client.post(
        f"/api/v1/documents/{document_id}/validate",
        json={"rules": [{"name": "enough", "field": "total", "kind": "range", "min": 2000}]},
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["passed"] is True
    audit = (
        await client.get("/api/v1/audit/logs", params={"action": "documents.extractions.*"})
    ).json()["items"]
    assert len(audit) == 2
    assert {(e["action"], e["resource_id"]) for e in audit} == {
        ("documents.extractions.corrections", stored["id"])
    }
    assert all(e["changed_fields"] == ["field", "value"] for e in audit)


async def test_bad_corrections_are_422_and_change_nothing(client: httpx.AsyncClient) -> None:
    document_id, stored = await extracted(client)
    path = f"/api/v1/documents/{document_id}/extractions/{stored['id']}/corrections"

    unknown = await client.post(path, json={"field": "iban", "value": "x"})
    not_a_number = await client.post(path, json={"field": "total", "value": "lots"})
    not_a_date = await client.post(path, json={"field": "due", "value": "15/04/2024"})
    empty = await client.post(path, json={"field": "reference", "value": "  "})
    boolean_total = await client.post(path, json={"field": "total", "value": True})

    for response in (unknown, not_a_number, not_a_date, empty, boolean_total):
        assert_problem(response, 422, "VALIDATION_ERROR")
    after = (await client.get(f"/api/v1/documents/{document_id}/extractions")).json()["items"][0]
    assert after["values"] == stored["values"]
    assert (await client.get(path)).json()["items"] == []
    missing = f"/api/v1/documents/{document_id}/extractions/ext_01jd0000000000000000000000"
    assert_problem(
        await client.post(f"{missing}/corrections", json={"field": "total", "value": 1}),
        404,
        "NOT_FOUND",
    )


async def test_another_team_and_a_viewer_cannot_correct(
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    viewer_client: httpx.AsyncClient,
) -> None:
    document_id, stored = await extracted(client)
    path = f"/api/v1/documents/{document_id}/extractions/{stored['id']}/corrections"
    body = {"field": "total", "value": 1}

    assert_problem(await second_client.post(path, json=body), 404, "NOT_FOUND")
    assert_problem(await second_client.get(path), 404, "NOT_FOUND")
    assert (await viewer_client.post(path, json=body)).status_code == 403
    after = (await client.get(f"/api/v1/documents/{document_id}/extractions")).json()["items"][0]
    assert after["values"]["total"] == 1250.40
