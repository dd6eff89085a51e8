"""Correcting list and object fields of a stored extraction: the value is checked element by
element against the field's definition in the template version that made the extraction
(422 with each misfit's path, nothing changed), normalised like extracted values, used by
validation, marked as corrected in exports; another team gets 404, a viewer 403."""

from __future__ import annotations

import csv
import io
import json

import httpx

from tests.helpers import assert_problem, upload_ok, wait_settled

LETTER = b"""Payment request
From: Northwind Traders Ltd
Reference 2024-118
Amount to pay 1,250.40 EUR
Orders PO-7 and PO-9
"""
LINE = [
    {"name": "description"},
    {"name": "quantity", "type": "number"},
    {"name": "amount", "type": "money"},
]
TEMPLATE = {
    "name": "order-letter",
    "fields": [
        {"name": "reference", "locators": [{"kind": "anchor", "labels": ["Reference"]}]},
        {
            "name": "total",
            "type": "money",
            "locators": [{"kind": "anchor", "labels": ["Amount to pay"]}],
        },
        {
            "name": "orders",
            "type": "list",
            "item_type": "string",
            "max_items": 3,
            "locators": [{"kind": "regex", "pattern": r"\b(PO-\d+)", "pick": "all"}],
        },
        {"name": "lines", "type": "list", "item_type": "object", "fields": LINE},
        {
            "name": "payer",
            "type": "object",
            "fields": [
                {"name": "name"},
                {"name": "country", "type": "enum", "enum_values": ["NL", "DE"]},
                {"name": "since", "type": "date"},
            ],
        },
    ],
    "rules": [{"name": "lines add up", "kind": "sum", "items": "lines[].amount", "field": "total"}],
}


async def extracted(client: httpx.AsyncClient) -> tuple[str, dict, str]:
    template = await client.post("/api/v1/templates", json=TEMPLATE)
    assert template.status_code == 201, template.text
    document = await upload_ok(client, content=LETTER, filename="orders.txt")
    await wait_settled(client, document["id"])
    applied = await client.post(
        f"/api/v1/templates/{template.json()['id']}/apply",
        json={"document_ids": [document["id"]]},
    )
    assert applied.status_code == 200, applied.text
    listed = await client.get(f"/api/v1/documents/{document['id']}/extractions")
    return document["id"], listed.json()["items"][0], template.json()["id"]


def corrections_path(document_id: str, stored: dict) -> str:
    return f"/api/v1/documents/{document_id}/extractions/{stored['id']}/corrections"


async def latest(client: httpx.AsyncClient, document_id: str) -> dict:
    return (await client.get(f"/api/v1/documents/{document_id}/extractions")).json()["items"][0]


async def test_a_list_of_objects_is_normalised_kept_and_validated(
    client: httpx.AsyncClient,
) -> None:
    document_id, stored, _ = await extracted(client)
    assert stored["values"]["lines"] == [] and "lines" in stored["review"]
    path = corrections_path(document_id, stored)

    lines = [
        {"description": " Chairs ", "quantity": "2", "amount": "1.000,40"},
        {"description": "Desk", "amount": 250},
    ]
    response = await client.post(path, json={"field": "lines", "value": lines})

    assert response.status_code == 201, response.text
    expected = [
        {"description": "Chairs", "quantity": 2.0, "amount": 1000.4},
        {"description": "Desk", "quantity": None, "amount": 250.0},
    ]
    assert response.json()["value"] == expected
    assert response.json()["previous_value"] == []
    assert json.loads(response.json()["raw"]) == lines  # what the reviewer sent
    after = await latest(client, document_id)
    assert after["values"] == {**stored["values"], "lines": expected}
    field = after["fields"]["lines"]
    assert field["method"] == "corrected" and field["confidence"] == 1.0
    assert field["needs_review"] is False
    assert [item["value"] for item in field["items"]] == expected
    assert field["items"][1]["fields"]["amount"]["value"] == 250.0
    assert "lines" not in after["review"]
    checked = await client.post(
        f"/api/v1/documents/{document_id}/validate", json={"rules": TEMPLATE["rules"]}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["passed"] is True  # 1000.40 + 250 = the total, 1250.40


async def test_a_scalar_list_and_an_object_are_corrected(client: httpx.AsyncClient) -> None:
    document_id, stored, _ = await extracted(client)
    assert stored["values"]["orders"] == ["PO-7", "PO-9"]
    path = corrections_path(document_id, stored)

    orders = await client.post(path, json={"field": "orders", "value": ["PO-7", "PO-11"]})
    payer = await client.post(
        path,
        json={"field": "payer", "value": {"name": "Northwind", "country": "nl", "since": None}},
    )

    assert orders.status_code == 201, orders.text
    assert payer.status_code == 201, payer.text
    assert payer.json()["value"] == {"name": "Northwind", "country": "NL", "since": None}
    after = await latest(client, document_id)
    assert after["values"]["orders"] == ["PO-7", "PO-11"]
    assert [item["value"] for item in after["fields"]["orders"]["items"]] == ["PO-7", "PO-11"]
    assert after["fields"]["payer"]["fields"]["country"]["value"] == "NL"
    assert after["fields"]["payer"]["method"] == "corrected"
    history = (await client.get(path)).json()["items"]
    assert [c["field"] for c in history] == ["payer", "orders"]


async def test_misfits_are_422_at_their_path_and_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    document_id, stored, _ = await extracted(client)
    path = corrections_path(document_id, stored)
    cases = {
        "lines": [
            ("no list", "value"),
            ([{"description": "Desk", "amount": "lots"}], "value[0].amount"),
            ([{"description": "Desk"}, {"colour": "red"}], "value[1].colour"),
            (["Desk"], "value[0]"),
            ({"description": "Desk"}, "value"),
        ],
        "orders": [
            ([["PO-7"]], "value[0]"),
            (["PO-1", "PO-2", "PO-3", "PO-4"], "value"),  # the template keeps 3
            (["PO-1", "  "], "value[1]"),
        ],
        "payer": [
            ({"country": "FR"}, "value.country"),
            ({"since": "15/04/2024"}, "value.since"),
            (["Northwind"], "value"),
        ],
        "total": [([1250.4], "value")],
    }

    for field, misfits in cases.items():
        for value, where in misfits:
            response = await client.post(path, json={"field": field, "value": value})
            body = assert_problem(response, 422, "VALIDATION_ERROR")
            assert [e["field"] for e in body["errors"]] == [where], (field, value, body)
    two = await client.post(
        path, json={"field": "lines", "value": [{"amount": "x"}, {"quantity": True}]}
    )
    errors = assert_problem(two, 422, "VALIDATION_ERROR")["errors"]
    assert [e["field"] for e in errors] == ["value[0].amount", "value[1].quantity"]
    deep = await client.post(path, json={"field": "lines", "value": [[[[[[["x"]]]]]]]})
    assert_problem(deep, 422, "VALIDATION_ERROR")
    after = await latest(client, document_id)
    assert after["values"] == stored["values"] and after["fields"] == stored["fields"]
    assert (await client.get(path)).json()["items"] == []


async def test_the_extractions_template_version_decides_and_a_deleted_one_refuses_lists(
    client: httpx.AsyncClient,
) -> None:
    document_id, stored, template_id = await extracted(client)
    path = corrections_path(document_id, stored)
    changed = {**TEMPLATE, "fields": [f for f in TEMPLATE["fields"] if f["name"] != "payer"]}
    updated = await client.patch(f"/api/v1/templates/{template_id}", json=changed)
    assert updated.status_code == 200 and updated.json()["version"] == 2, updated.text

    payer = await client.post(path, json={"field": "payer", "value": {"country": "DE"}})
    assert payer.status_code == 201, payer.text  # version 1, which made it, has payer

    assert (await client.delete(f"/api/v1/templates/{template_id}")).status_code == 204
    gone = await client.post(path, json={"field": "lines", "value": []})
    assert assert_problem(gone, 422, "VALIDATION_ERROR")["errors"][0]["code"] == "template_gone"
    scalar = await client.post(path, json={"field": "total", "value": "99.5"})
    assert scalar.status_code == 201 and scalar.json()["value"] == 99.5  # its stored type


async def test_exports_mark_corrected_lists_and_objects(client: httpx.AsyncClient) -> None:
    document_id, stored, _ = await extracted(client)
    path = corrections_path(document_id, stored)
    lines = [{"description": "Chairs", "quantity": 2, "amount": 1000.4}]
    assert (await client.post(path, json={"field": "lines", "value": lines})).status_code == 201
    payer = {"name": "Northwind", "country": "NL"}
    assert (await client.post(path, json={"field": "payer", "value": payer})).status_code == 201
    query = {"template": TEMPLATE["name"]}

    exported = await client.get("/api/v1/exports/extractions", params={**query, "format": "json"})
    table = await client.get("/api/v1/exports/extractions", params={**query, "format": "csv"})

    assert exported.status_code == 200, exported.text
    [record] = exported.json()
    assert record["corrected"] == ["lines", "payer"]
    assert record["lines"] == [{**lines[0], "quantity": 2.0}]
    assert record["payer"] == {**payer, "since": None}
    [columns] = list(csv.DictReader(io.StringIO(table.text)))
    assert columns["corrected"] == "lines;payer"
    assert columns["lines.count"] == "1" and columns["payer.country"] == "NL"


async def test_another_team_and_a_viewer_cannot_correct_a_list(
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    viewer_client: httpx.AsyncClient,
) -> None:
    document_id, stored, _ = await extracted(client)
    path = corrections_path(document_id, stored)
    body = {"field": "lines", "value": [{"description": "Desk", "amount": 1}]}

    assert_problem(await second_client.post(path, json=body), 404, "NOT_FOUND")
    assert_problem(await second_client.get(path), 404, "NOT_FOUND")
    assert (await viewer_client.post(path, json=body)).status_code == 403
    after = await latest(client, document_id)
    assert after["values"]["lines"] == [] and after["fields"] == stored["fields"]
    assert (await client.get(path)).json()["items"] == []
