"""``priority: high`` jumps every team's queue, so it needs ``documents:prioritize`` (team
owners and admins, and keys scoped for it) wherever a job is queued: uploads, batches,
reprocessing and bulk processing (issue 25 item 9)."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from folio.core.permissions import BuiltinRole
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem, upload, upload_ok

pytestmark = pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
HIGH = {"priority": "high"}


@pytest.fixture
async def member(app: FastAPI, admin: Account) -> Account:
    return await create_account(
        app, "mia@example.com", join_team=admin.team_id, role=BuiltinRole.member
    )


@pytest.fixture
async def member_client(app: FastAPI, member: Account) -> httpx.AsyncClient:
    async with client_for(app, member) as http:
        yield http


async def rows(app: FastAPI, sql: str, **params: object) -> list[tuple]:
    async with app.state.runtime.db.session() as session:
        return [tuple(row) for row in (await session.execute(text(sql), params)).all()]


def blobs(app: FastAPI, team_id: str) -> list[str]:
    root = app.state.runtime.storage.root / team_id
    return [str(p) for p in root.rglob("*") if p.is_file()]


async def cancelled(client: httpx.AsyncClient, document_id: str) -> None:
    response = await client.post(
        "/api/v1/documents/bulk/process", json={"document_ids": [document_id], "action": "cancel"}
    )
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text


class TestUpload:
    async def test_a_member_cannot_upload_at_high_and_nothing_is_stored(
        self, app: FastAPI, member_client: httpx.AsyncClient, admin: Account
    ) -> None:
        response = await upload(member_client, content=b"urgent", filename="u.txt", options=HIGH)

        body = assert_problem(response, 403, "PRIORITY_NOT_ALLOWED")
        assert "documents:prioritize" in body["detail"]
        assert await rows(app, "SELECT id FROM documents") == []
        assert await rows(app, "SELECT id FROM jobs") == []
        assert blobs(app, admin.team_id) == []

    async def test_a_member_uploads_at_normal_or_low(
        self, app: FastAPI, member_client: httpx.AsyncClient
    ) -> None:
        for priority in ("normal", "low"):
            await upload_ok(
                member_client,
                content=priority.encode(),
                filename="a.txt",
                options={"priority": priority},
            )
        assert sorted(r[0] for r in await rows(app, "SELECT priority FROM jobs")) == [1, 2]

    async def test_an_owner_uploads_at_high(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"urgent", filename="u.txt", options=HIGH)
        assert await rows(
            app, "SELECT priority FROM jobs WHERE document_id = :d", d=document["id"]
        ) == [(0,)]

    async def test_a_key_needs_the_scope(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        plain = await client.post(
            "/api/v1/keys", json={"name": "ci", "scopes": ["documents:read", "documents:write"]}
        )
        scoped = await client.post(
            "/api/v1/keys",
            json={"name": "ci", "scopes": ["documents:write", "documents:prioritize"]},
        )
        async with client_for(app) as raw:
            refused = await upload(
                raw,
                content=b"a",
                filename="a.txt",
                options=HIGH,
                headers={"Authorization": f"Bearer {plain.json()['key']}"},
            )
            accepted = await upload(
                raw,
                content=b"b",
                filename="b.txt",
                options=HIGH,
                headers={"Authorization": f"Bearer {scoped.json()['key']}"},
            )
        assert_problem(refused, 403, "PRIORITY_NOT_ALLOWED")
        assert accepted.status_code == 202, accepted.text

    async def test_a_member_cannot_make_a_key_that_prioritizes(
        self, member_client: httpx.AsyncClient
    ) -> None:
        response = await member_client.post(
            "/api/v1/keys", json={"name": "x", "scopes": ["documents:prioritize"]}
        )
        assert_problem(response, 403, "FORBIDDEN")


class TestBatch:
    async def test_a_member_cannot_batch_at_high_and_nothing_is_stored(
        self, app: FastAPI, member_client: httpx.AsyncClient, admin: Account
    ) -> None:
        files = [("files", (f"{n}.txt", f"file {n}".encode(), "text/plain")) for n in range(3)]

        response = await member_client.post(
            "/api/v1/batches", files=files, data={"options": json.dumps(HIGH)}
        )

        assert_problem(response, 403, "PRIORITY_NOT_ALLOWED")
        assert await rows(app, "SELECT id FROM batches") == []
        assert await rows(app, "SELECT id FROM documents") == []
        assert blobs(app, admin.team_id) == []


class TestReprocess:
    async def test_a_member_cannot_ask_for_high(
        self, app: FastAPI, client: httpx.AsyncClient, member_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(member_client, content=b"a", filename="a.txt")
        await cancelled(member_client, document["id"])

        reprocess = await member_client.post(
            f"/api/v1/documents/{document['id']}/reprocess", json={"options": HIGH}
        )
        bulk = await member_client.post(
            "/api/v1/documents/bulk/process",
            json={"document_ids": [document["id"]], "action": "reprocess", "options": HIGH},
        )

        assert_problem(reprocess, 403, "PRIORITY_NOT_ALLOWED")
        assert_problem(bulk, 403, "PRIORITY_NOT_ALLOWED")
        status = (await member_client.get(f"/api/v1/documents/{document['id']}")).json()["status"]
        assert status == "cancelled"
        assert len(await rows(app, "SELECT id FROM jobs")) == 1  # the first run's only

    async def test_a_member_rerunning_an_owners_high_document_runs_it_at_normal(
        self, app: FastAPI, client: httpx.AsyncClient, member_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"a", filename="a.txt", options=HIGH)
        await cancelled(client, document["id"])

        response = await member_client.post(
            f"/api/v1/documents/{document['id']}/reprocess", json={}
        )

        assert response.status_code in (200, 202), response.text
        priorities = await rows(
            app, "SELECT priority FROM jobs WHERE document_id = :d ORDER BY id", d=document["id"]
        )
        assert priorities == [(0,), (1,)]
