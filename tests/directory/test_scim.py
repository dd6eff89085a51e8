"""SCIM 2.0 against the real app: tokens per team, users (RFC 7643 §8.2 examples) with
filters, paging, PUT, PATCH and deprovisioning, role groups, SCIM errors, and tenancy."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from folio.auth.resolver import principal_for_user
from folio.core.security import hash_password
from folio.keys.schemas import KeyCreate
from folio.keys.service import key as key_service
from folio.users.repository import UserRepository
from tests.directory.conftest import Owner
from tests.factories import PASSWORD, client_for
from tests.helpers import assert_problem

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# RFC 7643 §8.2, the minimal and the full user, with the addresses of this test's team
MINIMAL = {"schemas": [USER], "id": "2819c223", "userName": "bjensen@example.com"}
FULL = {
    "schemas": [USER],
    "externalId": "701984",
    "userName": "mjensen",
    "name": {
        "formatted": "Ms. Barbara J Jensen, III",
        "familyName": "Jensen",
        "givenName": "Barbara",
    },
    "displayName": "Babs Jensen",
    "emails": [
        {"value": "mjensen@example.com", "type": "work", "primary": True},
        {"value": "babs@jensen.org", "type": "home"},
    ],
    "active": True,
}


async def scim_client(app: FastAPI, owner: Owner) -> httpx.AsyncClient:
    made = await owner.client.post("/api/v1/directory/scim-tokens", json={"name": "idp"})
    assert made.status_code == 201, made.text
    http = client_for(app)
    http.headers["Authorization"] = f"Bearer {made.json()['token']}"
    return http


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    assert body.get("scimType") == scim_type


@pytest.fixture
async def scim(app: FastAPI, owner: Owner) -> Any:
    async with await scim_client(app, owner) as http:
        yield http


async def test_tokens_need_a_signed_in_admin_and_rotate(app: FastAPI, owner: Owner) -> None:
    by_key = await owner.key_client.post("/api/v1/directory/scim-tokens", json={"name": "x"})
    assert_problem(by_key, 403, "INTERACTIVE_SESSION_REQUIRED")
    made = (await owner.client.post("/api/v1/directory/scim-tokens", json={"name": "idp"})).json()
    listed = (await owner.key_client.get("/api/v1/directory/scim-tokens")).json()
    assert [t["id"] for t in listed] == [made["id"]] and "token" not in listed[0]
    async with client_for(app) as http:
        http.headers["Authorization"] = f"Bearer {made['token']}"
        assert (await http.get("/scim/v2/Users")).status_code == 200
        rotated = await owner.client.post(f"/api/v1/directory/scim-tokens/{made['id']}/rotate")
        assert rotated.status_code == 201
        assert_scim_error(await http.get("/scim/v2/Users"), 401)
        http.headers["Authorization"] = f"Bearer {rotated.json()['token']}"
        assert (await http.get("/scim/v2/Users")).status_code == 200
        revoked = await owner.client.delete(f"/api/v1/directory/scim-tokens/{rotated.json()['id']}")
        assert revoked.status_code == 204
        assert_scim_error(await http.get("/scim/v2/Users"), 401)
        http.headers["Authorization"] = "Bearer fk_not_a_scim_token"
        assert_scim_error(await http.get("/scim/v2/Users"), 401)


async def test_create_get_put_and_filter_users(scim: httpx.AsyncClient) -> None:
    created = await scim.post("/scim/v2/Users", json=MINIMAL)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/scim+json")
    body = created.json()
    assert body["id"] != "2819c223" and body["userName"] == "bjensen@example.com"
    assert body["emails"][0]["value"] == "bjensen@example.com" and body["active"] is True
    assert body["groups"][0]["value"] == "member"
    full = (await scim.post("/scim/v2/Users", json=FULL)).json()
    assert full["displayName"] == "Barbara Jensen" and full["externalId"] == "701984"
    assert full["emails"][0]["value"] == "mjensen@example.com"
    assert (await scim.get(f"/scim/v2/Users/{full['id']}")).json() == full

    async def names(filter_text: str) -> list[str]:
        found = await scim.get("/scim/v2/Users", params={"filter": filter_text})
        assert found.status_code == 200, found.text
        return sorted(r["userName"] for r in found.json()["Resources"])

    assert await names('userName eq "BJENSEN@example.com"') == ["bjensen@example.com"]
    assert await names('emails.value co "jensen.org" or externalId eq "701984"') == ["mjensen"]
    both = ["bjensen@example.com", "mjensen"]
    assert await names('emails[type eq "work" and value ew "example.com"]') == both
    assert await names('emails[type eq "home"]') == []
    assert await names('userName sw "m" and active eq true') == ["mjensen"]
    assert await names('not (userName eq "mjensen")') == ["bjensen@example.com"]
    paged = (await scim.get("/scim/v2/Users", params={"startIndex": 2, "count": 1})).json()
    assert (paged["totalResults"], paged["startIndex"], paged["itemsPerPage"]) == (2, 2, 1)
    assert paged["Resources"][0]["userName"] == "mjensen"
    assert_scim_error(
        await scim.get("/scim/v2/Users", params={"filter": "userName eq"}), 400, "invalidFilter"
    )
    assert_scim_error(
        await scim.get("/scim/v2/Users", params={"filter": 'title eq "x"'}), 400, "invalidFilter"
    )

    replaced = await scim.put(
        f"/scim/v2/Users/{full['id']}",
        json={**FULL, "userName": "barbara", "displayName": "B", "name": None},
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["userName"], replaced.json()["displayName"]) == ("barbara", "B")


BAD_USERS: list[Any] = [
    {"schemas": [USER]},  # no userName
    {"userName": "x@example.com"},  # no schemas
    {"schemas": ["urn:nope"], "userName": "x@example.com"},
    {"schemas": [USER], "userName": "plain"},  # no e-mail anywhere
    {"schemas": [USER], "userName": "x", "emails": [{"value": "not-an-address"}]},
    {"schemas": [USER], "userName": "x@example.com", "active": "perhaps"},
    [1, 2],
]


async def test_bad_payloads_are_scim_400s(scim: httpx.AsyncClient) -> None:
    for payload in BAD_USERS:
        response = await scim.post("/scim/v2/Users", json=payload)
        assert response.status_code == 400, (payload, response.text)
        assert response.json()["schemas"] == [ERROR]
    assert (await scim.get("/scim/v2/Users")).json()["totalResults"] == 0


async def test_not_json_and_duplicates(scim: httpx.AsyncClient, owner: Owner) -> None:
    broken = await scim.post(
        "/scim/v2/Users", content=b"{nope", headers={"Content-Type": "application/scim+json"}
    )
    assert_scim_error(broken, 400, "invalidSyntax")
    assert (await scim.post("/scim/v2/Users", json=MINIMAL)).status_code == 201
    again = {**MINIMAL, "userName": "BJensen@example.com"}
    assert_scim_error(await scim.post("/scim/v2/Users", json=again), 409, "uniqueness")
    # an existing account's address: a directory never adopts an account it did not create
    taken = {"schemas": [USER], "userName": "olga", "emails": [{"value": "olga@example.com"}]}
    assert_scim_error(await scim.post("/scim/v2/Users", json=taken), 409, "uniqueness")


async def test_patch_deactivate_refuses_sign_in_and_keys(
    app: FastAPI, scim: httpx.AsyncClient, owner: Owner
) -> None:
    user = (await scim.post("/scim/v2/Users", json=FULL)).json()
    runtime = app.state.runtime
    async with runtime.db.session() as session:  # the account gets a password and a key
        row = await UserRepository.from_session(session).get(user["id"])
        assert row is not None
        row.password_hash = hash_password(PASSWORD)
        principal = await principal_for_user(session, row, owner.team_id)
        key = (
            await key_service.create(session, principal, runtime.settings, KeyCreate(name="k"))
        ).key
    credentials = {"email": "mjensen@example.com", "password": PASSWORD}
    async with client_for(app) as http:
        assert (await http.post("/api/v1/auth/login", json=credentials)).status_code == 200
        keyed = {"Authorization": f"Bearer {key}"}
        assert (await http.get("/api/v1/documents", headers=keyed)).status_code == 200

        renamed = await scim.patch(
            f"/scim/v2/Users/{user['id']}",
            json={
                "schemas": [PATCH],
                "Operations": [
                    {"op": "replace", "path": "name.givenName", "value": "Babs"},
                    {
                        "op": "Replace",
                        "path": 'emails[type eq "work"].value',
                        "value": "babs@example.com",
                    },
                ],
            },
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["emails"][0]["value"] == "babs@example.com"
        assert renamed.json()["displayName"] == "Babs Jensen"
        credentials["email"] = "babs@example.com"

        off = await scim.patch(
            f"/scim/v2/Users/{user['id']}",
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "value": {"active": False}}],
            },
        )
        assert off.status_code == 200 and off.json()["active"] is False
        assert_problem(
            await http.post("/api/v1/auth/login", json=credentials), 401, "INVALID_CREDENTIALS"
        )
        assert (await http.get("/api/v1/documents", headers=keyed)).status_code == 401
        inactive = await scim.get("/scim/v2/Users", params={"filter": "active eq false"})
        assert [r["id"] for r in inactive.json()["Resources"]] == [user["id"]]

        bad = await scim.patch(
            f"/scim/v2/Users/{user['id']}",
            json={"schemas": [PATCH], "Operations": [{"op": "remove", "path": "userName"}]},
        )
        assert_scim_error(bad, 400, "mutability")
        unknown = await scim.patch(
            f"/scim/v2/Users/{user['id']}",
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "nickName", "value": 1}],
            },
        )
        assert_scim_error(unknown, 400, "invalidPath")

        on = await scim.patch(
            f"/scim/v2/Users/{user['id']}",
            json={
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": "True"}],
            },
        )
        assert on.json()["active"] is True
        assert (await http.post("/api/v1/auth/login", json=credentials)).status_code == 200
        assert (await scim.delete(f"/scim/v2/Users/{user['id']}")).status_code == 204
        assert_scim_error(await scim.get(f"/scim/v2/Users/{user['id']}"), 404)
        assert (await http.get("/api/v1/documents", headers=keyed)).status_code == 401
    audit = (await owner.client.get("/api/v1/audit/logs", params={"limit": 100})).json()["items"]
    actions = {entry["action"] for entry in audit if entry["actor_type"] == "scim"}
    assert {
        "directory.user_created",
        "directory.user_disabled",
        "directory.user_deleted",
    } <= actions


async def test_groups_are_team_roles(scim: httpx.AsyncClient, owner: Owner) -> None:
    user = (await scim.post("/scim/v2/Users", json=MINIMAL)).json()
    groups = (await scim.get("/scim/v2/Groups")).json()
    assert [g["displayName"] for g in groups["Resources"]] == ["admin", "member", "viewer"]
    add = await scim.patch(
        "/scim/v2/Groups/admin",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}],
        },
    )
    assert add.status_code == 200, add.text
    assert [m["value"] for m in add.json()["members"]] == [user["id"]]
    members = (await owner.client.get(f"/api/v1/teams/{owner.team_id}/members")).json()
    items = members["items"] if isinstance(members, dict) else members
    assert {m["email"]: m["role"] for m in items}["bjensen@example.com"] == "admin"
    admins = await scim.get("/scim/v2/Groups", params={"filter": 'displayName eq "admin"'})
    assert admins.json()["totalResults"] == 1
    assert admins.json()["Resources"][0]["members"][0]["value"] == user["id"]
    removed = await scim.patch(
        "/scim/v2/Groups/admin",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{user["id"]}"]'}],
        },
    )
    assert removed.json()["members"] == []
    members = (await owner.client.get(f"/api/v1/teams/{owner.team_id}/members")).json()
    items = members["items"] if isinstance(members, dict) else members
    assert "bjensen@example.com" not in {m["email"] for m in items}
    assert_scim_error(await scim.get("/scim/v2/Groups/owner"), 404)
    stranger = await scim.patch(
        "/scim/v2/Groups/viewer",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "usr_x"}]}],
        },
    )
    assert_scim_error(stranger, 400, "invalidValue")


async def test_a_token_reaches_only_its_own_team(
    app: FastAPI, scim: httpx.AsyncClient, other_owner: Owner
) -> None:
    user = (await scim.post("/scim/v2/Users", json=MINIMAL)).json()
    async with await scim_client(app, other_owner) as other:
        assert (await other.get("/scim/v2/Users")).json()["totalResults"] == 0
        assert_scim_error(await other.get(f"/scim/v2/Users/{user['id']}"), 404)
        off = {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
        assert_scim_error(await other.patch(f"/scim/v2/Users/{user['id']}", json=off), 404)
        assert_scim_error(await other.delete(f"/scim/v2/Users/{user['id']}"), 404)
        add = {
            "schemas": [PATCH],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user["id"]}]}],
        }
        assert_scim_error(await other.patch("/scim/v2/Groups/admin", json=add), 400, "invalidValue")
    assert (await scim.get(f"/scim/v2/Users/{user['id']}")).json()["active"] is True
    async with client_for(app) as anonymous:
        assert_scim_error(await anonymous.get("/scim/v2/Users"), 401)


async def test_discovery(scim: httpx.AsyncClient) -> None:
    config = (await scim.get("/scim/v2/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = (await scim.get("/scim/v2/ResourceTypes")).json()["Resources"]
    assert {t["endpoint"] for t in types} == {"/Users", "/Groups"}
    schemas = (await scim.get("/scim/v2/Schemas")).json()["Resources"]
    assert {s["id"] for s in schemas} == {USER, "urn:ietf:params:scim:schemas:core:2.0:Group"}
    one = await scim.get(f"/scim/v2/Schemas/{USER}")
    assert one.status_code == 200 and one.json()["id"] == USER
    # routing's own errors under /scim are SCIM errors too
    wrong_method = await scim.post("/scim/v2/ServiceProviderConfig")
    assert_scim_error(wrong_method, 405)
    assert wrong_method.headers["allow"] == "GET"
    assert_scim_error(await scim.get("/scim/v2/Nothing"), 404)
