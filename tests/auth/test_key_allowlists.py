"""Per-key IP allow-lists, and the installation and team switches that require them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Account
from tests.helpers import assert_problem

REQUIRED = "api_keys.ip_allowlist_required"
OFFICE = ["203.0.113.0/24", "2001:db8::/32"]


def client_from(app: FastAPI, address: str, key: str | None = None) -> httpx.AsyncClient:
    """A client whose requests come from ``address`` (the ASGI scope's client)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://folio.test",
        headers={"Authorization": f"Bearer {key}"} if key else {},
    )


async def create_key(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await client.post("/api/v1/keys", json={"name": "office", **fields})


async def status_from(app: FastAPI, address: str, key: str) -> httpx.Response:
    async with client_from(app, address, key) as http:
        return await http.get("/api/v1/documents")


async def audit_actions(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit/logs", params={"action": "api_keys.*"})
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestAllowList:
    async def test_a_key_works_only_from_its_networks(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        created = await create_key(client, allowed_ips=[*OFFICE, "198.51.100.7"])
        assert created.status_code == 201, created.text
        key = created.json()
        assert key["allowed_ips"] == ["198.51.100.7/32", "2001:db8::/32", "203.0.113.0/24"]

        for inside in ("203.0.113.9", "198.51.100.7", "2001:db8::1", "::ffff:203.0.113.10"):
            assert (await status_from(app, inside, key["key"])).status_code == 200, inside
        for outside in ("198.51.100.8", "10.0.0.1", "2001:db9::1", "127.0.0.1"):
            refused = await status_from(app, outside, key["key"])
            body = assert_problem(refused, 403, "ADDRESS_NOT_ALLOWED")
            assert outside in body["detail"]

    async def test_a_refusal_is_in_the_teams_audit_trail(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        key = (await create_key(client, allowed_ips=OFFICE)).json()

        async with client_from(app, "192.0.2.1", key["key"]) as outsider:
            assert (await outsider.get("/api/v1/documents")).status_code == 403
            assert (await outsider.delete(f"/api/v1/keys/{key['id']}")).status_code == 403

        entries = await audit_actions(client)
        refusals = [e for e in entries if e["action"] == "api_keys.address_not_allowed"]
        assert len(refusals) == 2
        for entry in refusals:
            assert entry["actor_key_id"] == key["id"] and entry["ip"] == "192.0.2.1"
            assert entry["outcome"] == "denied" and entry["status_code"] == 403
        assert (await client.get(f"/api/v1/keys/{key['id']}")).json()["status"] == "active"

    @pytest.mark.parametrize(
        "bad", [["10.0.0.1/8"], ["not-an-ip"], ["10.0.0.0/33"], [], ["10.0.0.0/8"] * 101]
    )
    async def test_bad_lists_are_refused_and_create_nothing(
        self, client: httpx.AsyncClient, bad: list[str]
    ) -> None:
        before = (await client.get("/api/v1/keys")).json()["items"]

        assert_problem(await create_key(client, allowed_ips=bad), 422, "VALIDATION_ERROR")
        assert (await client.get("/api/v1/keys")).json()["items"] == before

    async def test_update_sets_and_clears_the_list_and_rotation_keeps_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        key = (await create_key(client)).json()
        assert key["allowed_ips"] is None
        assert (await status_from(app, "192.0.2.1", key["key"])).status_code == 200

        patched = await client.patch(f"/api/v1/keys/{key['id']}", json={"allowed_ips": OFFICE})
        assert patched.json()["allowed_ips"] == sorted(OFFICE)
        assert (await status_from(app, "192.0.2.1", key["key"])).status_code == 403
        rotated = (await client.post(f"/api/v1/keys/{key['id']}/rotate", json={})).json()
        assert rotated["allowed_ips"] == sorted(OFFICE)
        assert (await status_from(app, "192.0.2.1", rotated["key"])).status_code == 403
        assert (await status_from(app, "203.0.113.1", rotated["key"])).status_code == 200

        cleared = await client.patch(f"/api/v1/keys/{key['id']}", json={"allowed_ips": None})
        assert cleared.json()["allowed_ips"] is None
        assert (await status_from(app, "192.0.2.1", key["key"])).status_code == 200

    async def test_another_team_cannot_change_the_list(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        key = (await create_key(client, allowed_ips=OFFICE)).json()

        response = await second_client.patch(
            f"/api/v1/keys/{key['id']}", json={"allowed_ips": ["0.0.0.0/0"]}
        )

        assert_problem(response, 404, "NOT_FOUND")
        assert (await client.get(f"/api/v1/keys/{key['id']}")).json()["allowed_ips"] == sorted(
            OFFICE
        )


class TestInstallationSwitch:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"api_keys_require_ip_allowlist": True}

    async def test_keys_without_a_list_are_refused(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # the first-start key was made with a loopback list: the test client is 127.0.0.1
        me = await client.get("/api/v1/keys")
        assert me.status_code == 200
        assert me.json()["items"][0]["allowed_ips"] == ["127.0.0.0/8", "::1/128"]

        refused = await create_key(client)
        body = assert_problem(refused, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "allowed_ips"
        key = (await create_key(client, allowed_ips=OFFICE)).json()
        cleared = await client.patch(f"/api/v1/keys/{key['id']}", json={"allowed_ips": None})
        assert_problem(cleared, 422, "VALIDATION_ERROR")
        assert (await client.get(f"/api/v1/keys/{key['id']}")).json()["allowed_ips"] == sorted(
            OFFICE
        )
        assert (await status_from(app, "203.0.113.5", key["key"])).status_code == 200


class TestTeamSwitch:
    async def test_a_team_requiring_lists_refuses_its_keys_without_one(
        self,
        app: FastAPI,
        admin: Account,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
    ) -> None:
        listed = (await create_key(client, allowed_ips=["127.0.0.1"])).json()
        admin_key_id = (await client.get("/api/v1/keys")).json()["items"][0]["id"]
        team_url = f"/api/v1/teams/{admin.team_id}"
        assert_problem(
            await second_client.patch(
                team_url, json={"settings": {"require_key_ip_allowlist": True}}
            ),
            404,
            "NOT_FOUND",
        )
        switched = await client.patch(
            team_url, json={"settings": {"require_key_ip_allowlist": True}}
        )
        assert switched.status_code == 200, switched.text

        # the admin's own key has no list: refused from now on, as is creating one without
        body = assert_problem(await client.get("/api/v1/documents"), 403, "IP_ALLOWLIST_REQUIRED")
        assert "allowed_ips" in body["detail"]
        async with client_from(app, "127.0.0.1", listed["key"]) as allowed:
            assert (await allowed.get("/api/v1/documents")).status_code == 200
            assert_problem(await create_key(allowed), 422, "VALIDATION_ERROR")
            assert (await create_key(allowed, allowed_ips=OFFICE)).status_code == 201
            refusals = await audit_actions(allowed)
        assert [e["actor_key_id"] for e in refusals if e["action"] == REQUIRED] == [admin_key_id]
        # another team's keys are not affected
        assert (await second_client.get("/api/v1/documents")).status_code == 200
