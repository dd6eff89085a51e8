"""Role assignments scoped to documents or batches hold only there; expired ones hold nowhere."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from folio.core.db import utcnow
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem, upload_ok


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


@pytest.fixture
async def restricted(app: FastAPI, admin: Account, client: httpx.AsyncClient) -> Account:
    """A member of the admin's team whose role grants nothing on documents."""
    account = await create_account(app, "sam@example.com", join_team=admin.team_id)
    role = (
        await client.post(
            f"/api/v1/teams/{admin.team_id}/roles",
            json={"name": "Auditor", "permissions": ["audit:read"]},
        )
    ).json()
    changed = await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{account.user_id}", json={"role": role["id"]}
    )
    assert changed.status_code == 200, changed.text
    return account


async def assign(
    client: httpx.AsyncClient, team_id: str, user_id: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/teams/{team_id}/role-assignments",
        json={"user_id": user_id, "role": "viewer", **fields},
    )


class TestDocumentScope:
    async def test_grant_holds_only_for_the_named_document(
        self, app: FastAPI, admin: Account, client: httpx.AsyncClient, restricted: Account
    ) -> None:
        shared = await upload_ok(client, content=b"for sam", filename="s.txt")
        other = await upload_ok(client, content=b"not for sam", filename="o.txt")
        created = await assign(
            client, admin.team_id, restricted.user_id, scope={"document_ids": [shared["id"]]}
        )

        async with client_for(app, restricted) as sam:
            document = await sam.get(f"/api/v1/documents/{shared['id']}")
            original = await sam.get(f"/api/v1/documents/{shared['id']}/file")
            elsewhere = await sam.get(f"/api/v1/documents/{other['id']}")
            listing = await sam.get("/api/v1/documents")
            delete = await sam.delete(f"/api/v1/documents/{shared['id']}")
        audit = (await client.get(f"/api/v1/teams/{admin.team_id}/permissions/audit")).json()

        assert created.status_code == 201, created.text
        assert created.json()["scope"] == {"document_ids": [shared["id"]]}
        assert document.status_code == 200 and original.content == b"for sam"
        assert_problem(elsewhere, 403, "FORBIDDEN")
        assert_problem(listing, 403, "FORBIDDEN")  # a list is not the named document
        assert_problem(delete, 403, "FORBIDDEN")  # viewer's permissions only
        entry = next(e for e in audit if e["user_id"] == restricted.user_id)
        assert "documents:read" not in entry["permissions"]
        assert entry["scoped"][0]["scope"] == {"document_ids": [shared["id"]]}
        assert "documents:read" in entry["scoped"][0]["permissions"]

    async def test_batch_scope(
        self, app: FastAPI, admin: Account, client: httpx.AsyncClient, restricted: Account
    ) -> None:
        files = [("files", ("b.txt", b"batch text", "text/plain"))]
        mine = (await client.post("/api/v1/batches", files=files)).json()
        other = (await client.post("/api/v1/batches", files=files)).json()
        await assign(client, admin.team_id, restricted.user_id, scope={"batch_ids": [mine["id"]]})

        async with client_for(app, restricted) as sam:
            allowed = await sam.get(f"/api/v1/batches/{mine['id']}")
            refused = await sam.get(f"/api/v1/batches/{other['id']}")

        assert allowed.status_code == 200
        assert_problem(refused, 403, "FORBIDDEN")

    async def test_scope_must_name_this_teams_resources(
        self,
        admin: Account,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        restricted: Account,
    ) -> None:
        foreign = await upload_ok(second_client, content=b"team B", filename="b.txt")

        into_other_team = await assign(
            client, admin.team_id, restricted.user_id, scope={"document_ids": [foreign["id"]]}
        )
        unknown_key = await assign(
            client, admin.team_id, restricted.user_id, scope={"document_types": ["invoice"]}
        )

        body = assert_problem(into_other_team, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "scope.document_ids.0"
        assert_problem(unknown_key, 422, "VALIDATION_ERROR")


class TestExpiry:
    async def test_an_expired_assignment_grants_nothing(
        self, app: FastAPI, admin: Account, client: httpx.AsyncClient, restricted: Account
    ) -> None:
        document = await upload_ok(client, content=b"briefly", filename="t.txt")
        past = await assign(
            client,
            admin.team_id,
            restricted.user_id,
            expires_at=(utcnow() - timedelta(minutes=1)).isoformat(),
        )
        soon = utcnow() + timedelta(seconds=2)
        created = await assign(
            client, admin.team_id, restricted.user_id, expires_at=soon.isoformat()
        )

        async with client_for(app, restricted) as sam:
            before = await sam.get(f"/api/v1/documents/{document['id']}")
            await asyncio.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.2)
            after = await sam.get(f"/api/v1/documents/{document['id']}")
        live = (await client.get(f"/api/v1/teams/{admin.team_id}/role-assignments")).json()

        assert_problem(past, 422, "VALIDATION_ERROR")
        assert created.status_code == 201
        assert before.status_code == 200
        assert_problem(after, 403, "FORBIDDEN")
        assert created.json()["id"] not in [a["id"] for a in live]
