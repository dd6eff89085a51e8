"""API keys: shown once, hashed, scoped, rotated with a grace period, revoked, expired."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from folio.core.db import utcnow
from tests.factories import PASSWORD, Account, client_for, create_account
from tests.helpers import assert_problem

pytestmark = pytest.mark.parametrize("settings_overrides", [{"workers": 0}])


def key_headers(key: str, *, style: str = "bearer") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if style == "bearer" else {"X-API-Key": key}


async def create_key(client: httpx.AsyncClient, **body: object) -> dict:
    response = await client.post("/api/v1/keys", json={"name": "ci", **body})
    assert response.status_code == 201, response.text
    return response.json()


class TestKeys:
    async def test_full_key_is_shown_once_and_masked_after(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await create_key(client, scopes=["documents:read"])
        listed = (await client.get("/api/v1/keys")).json()["items"]
        fetched = (await client.get(f"/api/v1/keys/{created['id']}")).json()

        assert created["key"].startswith("fk_")
        assert created["masked_key"].endswith("…")
        assert created["key"].startswith(created["masked_key"][:-1])
        assert all("key" not in item for item in listed)
        assert fetched["masked_key"] == created["masked_key"] and "key" not in fetched
        async with app.state.runtime.db.session() as session:
            stored = (await session.execute(text("SELECT secret_hash FROM api_keys"))).scalars()
            stored = stored.all()
        assert created["key"] not in stored

    @pytest.mark.parametrize("style", ["bearer", "x-api-key"])
    async def test_key_authenticates_both_ways(
        self, client: httpx.AsyncClient, app: FastAPI, style: str
    ) -> None:
        created = await create_key(client)
        async with client_for(app) as anonymous:
            response = await anonymous.get(
                "/api/v1/documents", headers=key_headers(created["key"], style=style)
            )
        assert response.status_code == 200

    async def test_scopes_limit_what_a_key_can_do(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        read_only = await create_key(client, scopes=["documents:read"])
        async with client_for(app) as anonymous:
            headers = key_headers(read_only["key"])
            listed = await anonymous.get("/api/v1/documents", headers=headers)
            upload = await anonymous.post(
                "/api/v1/documents",
                headers=headers,
                files={"file": ("a.txt", b"text", "text/plain")},
            )
        assert listed.status_code == 200
        assert_problem(upload, 403, "FORBIDDEN")

    async def test_cannot_grant_scopes_you_do_not_hold(
        self, viewer_client: httpx.AsyncClient
    ) -> None:
        response = await viewer_client.post(
            "/api/v1/keys", json={"name": "x", "scopes": ["documents:write"]}
        )

        assert_problem(response, 403, "FORBIDDEN")

    async def test_revoked_key(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        created = await create_key(client)

        revoked = await client.delete(f"/api/v1/keys/{created['id']}")
        async with client_for(app) as anonymous:
            after = await anonymous.get("/api/v1/documents", headers=key_headers(created["key"]))

        assert revoked.status_code == 204
        assert_problem(after, 401, "INVALID_TOKEN")
        assert (await client.get(f"/api/v1/keys/{created['id']}")).json()["status"] == "revoked"

    async def test_inactive_and_expired_keys(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        paused = await create_key(client)
        expires_at = utcnow() + timedelta(seconds=1)
        expired = await create_key(client, expires_at=expires_at.isoformat())
        await client.patch(f"/api/v1/keys/{paused['id']}", json={"is_active": False})
        await asyncio.sleep((expires_at - utcnow()).total_seconds() + 0.05)

        async with client_for(app) as anonymous:
            for created in (paused, expired):
                response = await anonymous.get(
                    "/api/v1/documents", headers=key_headers(created["key"])
                )
                assert_problem(response, 401, "INVALID_TOKEN")

    async def test_rotation_keeps_the_old_key_for_the_grace_period(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        old = await create_key(client)
        with_grace = (
            await client.post(f"/api/v1/keys/{old['id']}/rotate", json={"grace_period_s": 3600})
        ).json()
        other = await create_key(client)
        no_grace = (
            await client.post(f"/api/v1/keys/{other['id']}/rotate", json={"grace_period_s": 0})
        ).json()

        async with client_for(app) as anonymous:

            async def status(key: str) -> int:
                return (
                    await anonymous.get("/api/v1/documents", headers=key_headers(key))
                ).status_code

            assert await status(old["key"]) == 200
            assert await status(with_grace["key"]) == 200
            assert await status(other["key"]) == 401
            assert await status(no_grace["key"]) == 200
        assert (await client.get(f"/api/v1/keys/{old['id']}")).json()["replaced_by"] == with_grace[
            "id"
        ]

    async def test_members_see_only_their_own_keys(
        self, client: httpx.AsyncClient, app: FastAPI, admin: Account
    ) -> None:
        member = await create_account(app, "mo@example.com", join_team=admin.team_id)
        admin_key = await create_key(client)
        async with client_for(app, member) as member_client:
            listed = (await member_client.get("/api/v1/keys")).json()["items"]
            other = await member_client.get(f"/api/v1/keys/{admin_key['id']}")
        assert [k["user_id"] for k in listed] == [member.user_id]
        assert_problem(other, 404, "NOT_FOUND")

    async def test_a_key_manager_cannot_rotate_a_key_with_scopes_they_lack(
        self, client: httpx.AsyncClient, app: FastAPI, admin: Account
    ) -> None:
        """Issue 25 item 1: team:manage + keys:manage could rotate the owner's key and receive
        a new secret carrying every scope of the owner."""
        team = f"/api/v1/teams/{admin.team_id}"
        role = (
            await client.post(
                f"{team}/roles",
                json={"name": "Keymaster", "permissions": ["team:manage", "keys:manage"]},
            )
        ).json()
        member = await create_account(app, "kim@example.com", join_team=admin.team_id)
        await client.patch(f"{team}/members/{member.user_id}", json={"role": role["id"]})
        owner_key = await create_key(client)
        async with client_for(app) as anonymous:
            signed_in = await anonymous.post(
                "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}
            )
            headers = {
                "Authorization": f"Bearer {signed_in.json()['tokens']['access_token']}",
                "X-Team-Id": admin.team_id,
            }
            rotated = await anonymous.post(
                f"/api/v1/keys/{owner_key['id']}/rotate", headers=headers
            )
            updated = await anonymous.patch(
                f"/api/v1/keys/{owner_key['id']}", headers=headers, json={"name": "mine now"}
            )
            own = await anonymous.post("/api/v1/keys", headers=headers, json={"name": "own"})
            own_rotated = await anonymous.post(
                f"/api/v1/keys/{own.json()['id']}/rotate", headers=headers
            )

        assert_problem(rotated, 403, "FORBIDDEN")
        assert_problem(updated, 403, "FORBIDDEN")
        assert own_rotated.status_code == 201, own_rotated.text
        after = (await client.get(f"/api/v1/keys/{owner_key['id']}")).json()
        assert after["status"] == "active" and after["replaced_by"] is None
        trail = (await client.get("/api/v1/audit/logs", params={"action": "keys.rotate"})).json()[
            "items"
        ]
        assert {e["actor_user_id"] for e in trail} == {member.user_id}

    async def test_last_used_is_recorded(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        created = await create_key(client)
        async with client_for(app) as anonymous:
            await anonymous.get("/api/v1/documents", headers=key_headers(created["key"]))

        fetched = (await client.get(f"/api/v1/keys/{created['id']}")).json()

        assert fetched["last_used_at"] is not None

    async def test_last_use_is_recorded_when_the_request_fails(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await create_key(client)
        async with client_for(app) as anonymous:
            missing = await anonymous.delete(
                "/api/v1/documents/doc_" + "0" * 26, headers=key_headers(created["key"])
            )

        fetched = (await client.get(f"/api/v1/keys/{created['id']}")).json()

        assert_problem(missing, 404, "NOT_FOUND")
        assert fetched["last_used_at"] is not None
