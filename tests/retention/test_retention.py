"""Retention policies, legal holds and the purge job, on processed documents and the files
they left on disk."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.admin.conftest import session_headers
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled


def folder(app: FastAPI, team_id: str, document_id: str) -> Path:
    path: Path = app.state.runtime.settings.blob_dir / team_id / document_id
    return path


async def processed(client: httpx.AsyncClient, text: bytes, name: str) -> dict[str, object]:
    document = await upload_ok(client, content=text, filename=name)
    return await wait_settled(client, str(document["id"]))


class TestPurge:
    async def test_a_documents_policy_deletes_due_documents_but_not_held_ones(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        kept = await processed(client, b"minutes of the board", "kept.txt")
        due = await processed(client, b"old newsletter", "due.txt")
        hold = await client.post(
            "/api/v1/legal-holds", json={"document_id": kept["id"], "reason": "litigation 7"}
        )
        await client.post("/api/v1/retention/policies", json={"target": "documents", "days": 0})

        first = await client.post("/api/v1/retention/purge")
        gone = await client.get(f"/api/v1/documents/{due['id']}")
        still = await client.get(f"/api/v1/documents/{kept['id']}")
        log = (await client.get("/api/v1/retention/purge-log")).json()["items"]
        released = await client.delete(f"/api/v1/legal-holds/{hold.json()['id']}")
        second = await client.post("/api/v1/retention/purge")

        assert first.json()["documents_deleted"] == 1 and first.json()["held"] == 1
        assert gone.status_code == 404 and still.status_code == 200
        assert not folder(app, admin.team_id, str(due["id"])).exists()
        assert [(r["document_id"], r["action"]) for r in log] == [(due["id"], "document_deleted")]
        assert log[0]["filename"] == "due.txt" and log[0]["bytes_freed"] == len(b"old newsletter")
        assert released.json()["active"] is False
        assert second.json()["documents_deleted"] == 1
        assert not folder(app, admin.team_id, str(kept["id"])).exists()

    async def test_originals_then_results_go_and_the_document_row_stays(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        document = await processed(client, b"quarterly report text", "q.txt")
        base = f"/api/v1/documents/{document['id']}"
        original = folder(app, admin.team_id, str(document["id"])) / "original"
        assert original.is_file()
        await client.post("/api/v1/retention/policies", json={"target": "originals", "days": 0})

        originals = (await client.post("/api/v1/retention/purge")).json()
        file = await client.get(f"{base}/file")
        text_kept = await client.get(f"{base}/text")
        reprocess = await client.post(f"{base}/reprocess", json={})
        scan = await client.post(
            f"/api/v1/security/scan/{document['id']}", json={"include_pii": False}
        )
        await client.post("/api/v1/retention/policies", json={"target": "results", "days": 0})
        results = (await client.post("/api/v1/retention/purge")).json()
        text_gone = await client.get(f"{base}/text")
        row = await client.get(base)

        assert originals["originals_deleted"] == 1 and not original.exists()
        assert_problem(file, 409, "PURGED")
        assert text_kept.status_code == 200 and "quarterly" in text_kept.text
        assert_problem(reprocess, 409, "PURGED")
        assert_problem(scan, 409, "PURGED")  # it reads the original: never a 500
        assert results["results_deleted"] == 1 and results["originals_deleted"] == 0
        assert_problem(text_gone, 409, "PURGED")
        assert row.status_code == 200 and row.json()["filename"] == "q.txt"

    async def test_a_policy_for_one_document_type_leaves_the_others(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await processed(client, b"plain note", "note.txt")
        await client.post(
            "/api/v1/retention/policies",
            json={"target": "documents", "days": 0, "document_type": "invoice"},
        )
        await client.post("/api/v1/retention/policies", json={"target": "documents", "days": 30})

        summary = (await client.post("/api/v1/retention/purge")).json()

        assert summary["documents_deleted"] == 0
        assert (await client.get(f"/api/v1/documents/{document['id']}")).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"workers": 1, "retention_purge_interval_s": 0.3}])
async def test_the_server_purges_periodically(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    document = await processed(client, b"temporary scan", "t.txt")
    await client.post("/api/v1/retention/policies", json={"target": "documents", "days": 0})
    for _ in range(100):
        if (await client.get(f"/api/v1/documents/{document['id']}")).status_code == 404:
            break
        await asyncio.sleep(0.1)
    log = (await client.get("/api/v1/retention/purge-log")).json()["items"]
    assert [r["document_id"] for r in log] == [document["id"]]
    assert not folder(app, admin.team_id, str(document["id"])).exists()


class TestLegalHolds:
    async def test_deleting_a_held_document_or_batch_member_is_a_409_until_released(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        document = await upload_ok(client, content=b"contract", filename="c.txt")
        batch = (
            await client.post(
                "/api/v1/batches", files=[("files", ("b.txt", b"batch member", "text/plain"))]
            )
        ).json()
        member = batch["documents"][0]["id"]
        held = await client.post(
            "/api/v1/legal-holds", json={"document_id": document["id"], "reason": "audit"}
        )
        batch_hold = await client.post(
            "/api/v1/legal-holds", json={"batch_id": batch["id"], "reason": "audit"}
        )

        refused = await client.delete(f"/api/v1/documents/{document['id']}")
        refused_member = await client.delete(f"/api/v1/documents/{member}")
        bulk = await client.request(
            "DELETE", "/api/v1/documents/bulk", json={"document_ids": [document["id"], member]}
        )
        active = (await client.get("/api/v1/legal-holds", params={"active": "true"})).json()
        await client.delete(f"/api/v1/legal-holds/{held.json()['id']}")
        await client.delete(f"/api/v1/legal-holds/{batch_hold.json()['id']}")
        deleted = await client.delete(f"/api/v1/documents/{document['id']}")
        listed = (await client.get("/api/v1/legal-holds")).json()["items"]

        body = assert_problem(refused, 409, "LEGAL_HOLD")
        assert body["hold_id"] == held.json()["id"]
        assert_problem(refused_member, 409, "LEGAL_HOLD")
        assert [i["outcome"] for i in bulk.json()["items"]] == ["skipped", "skipped"]
        assert "legal hold" in bulk.json()["items"][0]["detail"]
        assert len(active["items"]) == 2
        assert deleted.status_code == 204
        assert not folder(app, admin.team_id, str(document["id"])).exists()
        assert [h["active"] for h in listed] == [False, False]

    async def test_holds_need_exactly_one_target_of_the_callers_team(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"contract", filename="c.txt")
        both = await client.post(
            "/api/v1/legal-holds",
            json={"document_id": document["id"], "batch_id": "bat_x", "reason": "r"},
        )
        foreign = await second_client.post(
            "/api/v1/legal-holds", json={"document_id": document["id"], "reason": "r"}
        )
        assert_problem(both, 422, "VALIDATION_ERROR")
        assert_problem(foreign, 404, "NOT_FOUND")


async def test_another_team_sees_and_changes_none_of_the_first_teams_governance(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    document = await processed(client, b"minutes", "m.txt")
    policy = (
        await client.post("/api/v1/retention/policies", json={"target": "documents", "days": 9})
    ).json()
    hold = (
        await client.post(
            "/api/v1/legal-holds", json={"document_id": document["id"], "reason": "r"}
        )
    ).json()
    await client.post("/api/v1/retention/policies", json={"target": "results", "days": 0})
    await client.post("/api/v1/retention/purge")

    assert (await second_client.get("/api/v1/retention/policies")).json() == []
    assert (await second_client.get("/api/v1/legal-holds")).json()["items"] == []
    assert (await second_client.get("/api/v1/retention/purge-log")).json()["items"] == []
    for method, path, body in (
        ("GET", f"/api/v1/retention/policies/{policy['id']}", None),
        ("PATCH", f"/api/v1/retention/policies/{policy['id']}", {"days": 0}),
        ("DELETE", f"/api/v1/retention/policies/{policy['id']}", None),
        ("GET", f"/api/v1/legal-holds/{hold['id']}", None),
        ("DELETE", f"/api/v1/legal-holds/{hold['id']}", None),
    ):
        response = await second_client.request(method, path, json=body)
        assert_problem(response, 404, "NOT_FOUND")
    second_purge = (await second_client.post("/api/v1/retention/purge")).json()
    assert second_purge["results_deleted"] == 0
    assert (await client.get(f"/api/v1/retention/policies/{policy['id']}")).json()["days"] == 9
    assert (await client.get(f"/api/v1/legal-holds/{hold['id']}")).json()["active"] is True


async def test_policies_refuse_duplicates_and_bad_days(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/v1/retention/policies", json={"target": "results", "days": 5})
    again = await client.post("/api/v1/retention/policies", json={"target": "results", "days": 6})
    negative = await client.post(
        "/api/v1/retention/policies", json={"target": "results", "days": -1}
    )
    unknown = await client.post(
        "/api/v1/retention/policies", json={"target": "everything", "days": 1}
    )
    assert first.status_code == 201
    assert_problem(again, 409, "CONFLICT")
    assert_problem(negative, 422, "VALIDATION_ERROR")
    assert_problem(unknown, 422, "VALIDATION_ERROR")


async def test_a_viewer_cannot_manage_retention(viewer_client: httpx.AsyncClient) -> None:
    refused = await viewer_client.post(
        "/api/v1/retention/policies", json={"target": "results", "days": 5}
    )
    log = await viewer_client.get("/api/v1/retention/purge-log")
    assert_problem(refused, 403, "FORBIDDEN")
    assert_problem(log, 403, "FORBIDDEN")


async def test_deleting_a_team_removes_its_files_but_not_while_a_document_is_held(
    app: FastAPI, anonymous_client: httpx.AsyncClient, second_account: Account
) -> None:
    session = await session_headers(app, second_account.email)
    team = (
        await anonymous_client.post("/api/v1/teams", headers=session, json={"name": "Project"})
    ).json()
    in_team = {**session, "X-Team-Id": team["id"]}
    document = await upload_ok(
        anonymous_client, content=b"plans", filename="p.txt", headers=in_team
    )
    hold = await anonymous_client.post(
        "/api/v1/legal-holds", headers=in_team, json={"document_id": document["id"], "reason": "r"}
    )
    files = app.state.runtime.settings.blob_dir / team["id"]

    refused = await anonymous_client.delete(f"/api/v1/teams/{team['id']}", headers=session)
    await anonymous_client.delete(f"/api/v1/legal-holds/{hold.json()['id']}", headers=in_team)
    deleted = await anonymous_client.delete(f"/api/v1/teams/{team['id']}", headers=session)

    assert_problem(refused, 409, "LEGAL_HOLD")
    assert deleted.status_code == 204, deleted.text
    assert not files.exists()


async def test_a_batch_results_archive_leaves_out_documents_whose_results_were_purged(
    client: httpx.AsyncClient,
) -> None:
    files = [("files", (f"{n}.txt", f"memo {n}".encode(), "text/plain")) for n in ("a", "b")]
    batch = (await client.post("/api/v1/batches", files=files)).json()
    kept, _purged = [await wait_settled(client, d["id"]) for d in batch["documents"]]
    await client.post("/api/v1/legal-holds", json={"document_id": kept["id"], "reason": "audit"})
    await client.post("/api/v1/retention/policies", json={"target": "results", "days": 0})
    assert (await client.post("/api/v1/retention/purge")).json()["results_deleted"] == 1

    response = await client.get(f"/api/v1/batches/{batch['id']}/results-archive")

    assert response.status_code == 200, response.text  # not the purged document's 409
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [row["document_id"] for row in manifest] == [kept["id"]]
