"""Erasure of a person across a team's documents: found by the entities the analysis
recorded, then reported, masked or deleted, with a report of what was where."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled

JANE = (
    b"Service agreement.\nCustomer contact: Jane Doe, e-mail jane.doe@example.com.\n"
    b"Supplier contact: bob.smith@example.org.\n"
)
OTHER = b"Meeting notes. Supplier contact: bob.smith@example.org.\n"


async def analysed(client: httpx.AsyncClient, text: bytes, name: str) -> dict[str, object]:
    document = await upload_ok(client, content=text, filename=name, options={"analyze": True})
    return await wait_settled(client, str(document["id"]))


async def test_report_then_redact_masks_the_person_and_keeps_everyone_else(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    jane = await analysed(client, JANE, "agreement.txt")
    other = await analysed(client, OTHER, "notes.txt")
    base = f"/api/v1/documents/{jane['id']}"

    report = await client.post("/api/v1/erasure-requests", json={"email": "Jane.Doe@example.com"})
    unchanged = await client.get(f"{base}/text")
    redact = await client.post(
        "/api/v1/erasure-requests",
        json={"email": "jane.doe@example.com", "name": "Jane Doe", "action": "redact"},
    )
    text = (await client.get(f"{base}/text")).text
    results = (await client.get(f"{base}/results")).text
    original = await client.get(f"{base}/file")
    log = (await client.get("/api/v1/retention/purge-log")).json()["items"]
    listed = (await client.get("/api/v1/erasure-requests")).json()["items"]

    assert report.status_code == 201, report.text
    found = report.json()["report"]["documents"]
    assert [d["document_id"] for d in found] == [jane["id"]]
    assert {"where": "entities", "type": "email", "page": 1} in found[0]["found"]
    assert found[0]["outcome"] == "found"
    assert report.json()["report"]["totals"]["found_by_entity"] == 1
    assert "jane.doe@example.com" in unchanged.text
    assert redact.json()["report"]["documents"][0]["outcome"] == "redacted"
    assert "jane.doe" not in text.lower() and "Jane Doe" not in text
    assert "bob.smith@example.org" in text and "█" in text
    assert "jane.doe" not in results.lower()
    assert_problem(original, 409, "PURGED")
    assert not (app.state.runtime.settings.blob_dir / admin.team_id / str(jane["id"])).exists()
    assert {(r["document_id"], r["action"]) for r in log} == {
        (jane["id"], "original_deleted"),
        (jane["id"], "results_redacted"),
    }
    assert [e["id"] for e in listed] == [redact.json()["id"], report.json()["id"]]
    assert "jane" not in str(redact.json()["report"]).lower()
    assert (await client.get(f"/api/v1/documents/{other['id']}/file")).status_code == 200


async def test_delete_removes_the_documents_that_name_the_person_except_held_ones(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    first = await upload_ok(client, content=JANE, filename="a.txt")
    second = await upload_ok(client, content=JANE, filename="b.txt")
    await wait_settled(client, str(first["id"]))
    await wait_settled(client, str(second["id"]))
    hold = await client.post(
        "/api/v1/legal-holds", json={"document_id": second["id"], "reason": "case 12"}
    )

    erased = await client.post(
        "/api/v1/erasure-requests", json={"email": "jane.doe@example.com", "action": "delete"}
    )

    outcomes = {d["document_id"]: d["outcome"] for d in erased.json()["report"]["documents"]}
    assert outcomes == {first["id"]: "deleted", second["id"]: f"held by {hold.json()['id']}"}
    assert (await client.get(f"/api/v1/documents/{first['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/documents/{second['id']}")).status_code == 200
    assert not (app.state.runtime.settings.blob_dir / admin.team_id / str(first["id"])).exists()


async def test_another_team_neither_finds_nor_reads_the_first_teams_erasures(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    document = await upload_ok(client, content=JANE, filename="a.txt")
    await wait_settled(client, str(document["id"]))
    mine = (
        await client.post("/api/v1/erasure-requests", json={"email": "jane.doe@example.com"})
    ).json()

    theirs = await second_client.post(
        "/api/v1/erasure-requests", json={"email": "jane.doe@example.com", "action": "delete"}
    )
    read = await second_client.get(f"/api/v1/erasure-requests/{mine['id']}")
    listed = (await second_client.get("/api/v1/erasure-requests")).json()["items"]
    viewer = await viewer_client.post(
        "/api/v1/erasure-requests", json={"email": "jane.doe@example.com"}
    )
    nobody = await client.post("/api/v1/erasure-requests", json={"action": "report"})

    assert mine["report"]["totals"]["documents"] == 1
    assert theirs.json()["report"]["documents"] == []
    assert_problem(read, 404, "NOT_FOUND")
    assert [e["id"] for e in listed] == [theirs.json()["id"]]
    assert_problem(viewer, 403, "FORBIDDEN")
    assert_problem(nobody, 422, "VALIDATION_ERROR")
    assert (await client.get(f"/api/v1/documents/{document['id']}")).status_code == 200
