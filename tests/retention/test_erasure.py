"""Erasure of a person across a team's documents: found by the entities the analysis
recorded, then reported, masked or deleted, with a report of what was where."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from folio.core.db import utcnow
from folio.core.ids import IdPrefix, new_id
from folio.erasure.models import ErasureAction, ErasureRequest, ErasureStatus
from folio.erasure.runner import ErasureRunner
from folio.erasure.service import RUNNER
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


async def finished(
    client: httpx.AsyncClient, request_id: str, seconds: float = 30
) -> dict[str, Any]:
    """Polls the request until the runner has completed (or failed) it."""
    deadline = time.monotonic() + seconds
    while True:
        body = (await client.get(f"/api/v1/erasure-requests/{request_id}")).json()
        if body["status"] in ("completed", "failed") or time.monotonic() > deadline:
            assert body["status"] == "completed", body
            return body
        await asyncio.sleep(0.05)


async def gone(path: Path, seconds: float = 10) -> bool:
    """Whether ``path`` no longer exists, or stops existing within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if not path.exists():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


async def erase(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """Posts a request (accepted, not yet done) and waits for its report."""
    accepted = await client.post("/api/v1/erasure-requests", json=body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "pending"
    return await finished(client, accepted.json()["id"])


async def test_report_then_redact_masks_the_person_and_keeps_everyone_else(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    jane = await analysed(client, JANE, "agreement.txt")
    other = await analysed(client, OTHER, "notes.txt")
    base = f"/api/v1/documents/{jane['id']}"

    report = await erase(client, {"email": "Jane.Doe@example.com"})
    unchanged = await client.get(f"{base}/text")
    redact = await erase(
        client, {"email": "jane.doe@example.com", "name": "Jane Doe", "action": "redact"}
    )
    text = (await client.get(f"{base}/text")).text
    results = (await client.get(f"{base}/results")).text
    original = await client.get(f"{base}/file")
    log = (await client.get("/api/v1/retention/purge-log")).json()["items"]
    listed = (await client.get("/api/v1/erasure-requests")).json()["items"]
    notices = (await client.get("/api/v1/notifications")).json()["items"]

    found = report["report"]["documents"]
    assert [d["document_id"] for d in found] == [jane["id"]]
    assert {"where": "entities", "type": "email", "page": 1} in found[0]["found"]
    assert found[0]["outcome"] == "found"
    assert report["report"]["totals"]["found_by_entity"] == 1
    assert "jane.doe@example.com" in unchanged.text
    assert redact["report"]["documents"][0]["outcome"] == "redacted"
    assert "jane.doe" not in text.lower() and "Jane Doe" not in text
    assert "bob.smith@example.org" in text and "█" in text
    assert "jane.doe" not in results.lower()
    assert_problem(original, 409, "PURGED")
    assert not (app.state.runtime.settings.blob_dir / admin.team_id / str(jane["id"])).exists()
    assert {(r["document_id"], r["action"]) for r in log} == {
        (jane["id"], "original_deleted"),
        (jane["id"], "results_redacted"),
    }
    assert [e["id"] for e in listed] == [redact["id"], report["id"]]
    assert "jane" not in str(redact["report"]).lower()
    done = [n["data"]["erasure_id"] for n in notices if n["title"] == "An erasure request is done"]
    assert sorted(done) == sorted([report["id"], redact["id"]])
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

    erased = await erase(client, {"email": "jane.doe@example.com", "action": "delete"})

    outcomes = {d["document_id"]: d["outcome"] for d in erased["report"]["documents"]}
    assert outcomes == {first["id"]: "deleted", second["id"]: f"held by {hold.json()['id']}"}
    assert (await client.get(f"/api/v1/documents/{first['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/documents/{second['id']}")).status_code == 200
    # the files go once the runner's transaction has committed, just after the status it
    # reports: on the scale-out stack the test could look in between
    assert await gone(app.state.runtime.settings.blob_dir / admin.team_id / str(first["id"]))


async def test_another_team_neither_finds_nor_reads_the_first_teams_erasures(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    document = await upload_ok(client, content=JANE, filename="a.txt")
    await wait_settled(client, str(document["id"]))
    mine = await erase(client, {"email": "jane.doe@example.com"})

    theirs = await erase(second_client, {"email": "jane.doe@example.com", "action": "delete"})
    read = await second_client.get(f"/api/v1/erasure-requests/{mine['id']}")
    listed = (await second_client.get("/api/v1/erasure-requests")).json()["items"]
    viewer = await viewer_client.post(
        "/api/v1/erasure-requests", json={"email": "jane.doe@example.com"}
    )
    nobody = await client.post("/api/v1/erasure-requests", json={"action": "report"})

    assert mine["report"]["totals"]["documents"] == 1
    assert theirs["report"]["documents"] == []
    assert_problem(read, 404, "NOT_FOUND")
    assert [e["id"] for e in listed] == [theirs["id"]]
    assert_problem(viewer, 403, "FORBIDDEN")
    assert_problem(nobody, 422, "VALIDATION_ERROR")
    assert (await client.get(f"/api/v1/documents/{document['id']}")).status_code == 200


def request_row(team_id: str, holder: str, expires: datetime, **fields: Any) -> ErasureRequest:
    values: dict[str, Any] = {
        "report": {"documents": [], "totals": {"documents": 0}},
        "documents_examined": 0,
        **fields,
    }
    return ErasureRequest(
        id=new_id(IdPrefix.erasure),
        team_id=team_id,
        requested_by=None,
        email="jane.doe@example.com",
        name=None,
        action=ErasureAction.report,
        status=ErasureStatus.running,
        attempts=1,
        created_at=utcnow(),
        lease_owner=holder,
        lease_expires_at=expires,
        **values,
    )


async def test_a_request_outlives_its_runner_and_a_live_lease_is_left_alone(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    """A runner that died (lease lapsed, half done) or stopped (lease given back): the live
    runner carries on from the last document recorded; a lease still held is never taken."""
    runtime = app.state.runtime
    first, second = sorted(
        [
            str((await upload_ok(client, content=JANE, filename=name))["id"])
            for name in ("a.txt", "b.txt")
        ]
    )
    await wait_settled(client, first)
    await wait_settled(client, second)
    carried = {"document_id": first, "filename": "a.txt", "found": [], "outcome": "found"}
    now = utcnow()
    died = request_row(
        admin.team_id,
        "gone-host:1:dead",
        now - timedelta(seconds=1),
        examined_through=first,
        documents_examined=1,
        report={"documents": [carried], "totals": {"documents": 1}},
    )
    stopping = ErasureRunner(runtime, name="this-host:2:stopping")
    stopped = request_row(admin.team_id, stopping.name, now + timedelta(hours=1))
    busy = request_row(admin.team_id, "other-host:3:busy", now + timedelta(hours=1))
    async with runtime.db.session() as session:
        session.add_all([died, stopped, busy])

    await stopping.stop()  # gives its request back
    runtime.state[RUNNER].wake()
    resumed = await finished(client, died.id)
    restarted = await finished(client, stopped.id)
    left = (await client.get(f"/api/v1/erasure-requests/{busy.id}")).json()
    events = (await client.get("/api/v1/events", params={"type": "erasure.completed"})).json()

    assert [d["document_id"] for d in resumed["report"]["documents"]] == [first, second]
    assert resumed["report"]["documents"][0] == carried  # not examined a second time
    assert resumed["documents_examined"] == 2 and resumed["attempts"] == 2
    assert [d["document_id"] for d in restarted["report"]["documents"]] == [first, second]
    assert restarted["attempts"] == 2
    assert left["status"] == "running" and left["documents_examined"] == 0
    assert {e["data"]["erasure_id"] for e in events["items"]} >= {died.id, stopped.id}
