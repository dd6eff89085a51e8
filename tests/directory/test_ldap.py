"""LDAP directory of a team against a real slapd: settings, connection test, sync that
creates, updates and disables accounts, and LDAP password sign-in."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from folio.directory.models import LdapDirectory
from folio.directory.schedule import sync_due
from tests.directory.conftest import Owner
from tests.directory.slapd import PASSWORDS, SERVICE_DN, SERVICE_PASSWORD, SUFFIX, Slapd
from tests.factories import client_for
from tests.helpers import assert_problem

ADMINS = f"cn=folio-admins,ou=groups,{SUFFIX}"
USERS = f"cn=folio-users,ou=groups,{SUFFIX}"


def config(slapd: Slapd, **changes: Any) -> dict[str, Any]:
    return {
        "url": slapd.url,
        "bind_dn": SERVICE_DN,
        "bind_password": SERVICE_PASSWORD,
        "user_base": f"ou=people,{SUFFIX}",
        "group_base": f"ou=groups,{SUFFIX}",
        "group_roles": {ADMINS: "admin", USERS: "viewer"},
        "login_enabled": True,
        **changes,
    }


async def login(app: FastAPI, team_id: str, username: str, password: str) -> httpx.Response:
    async with client_for(app) as http:
        return await http.post(
            "/api/v1/auth/ldap/login",
            json={"team_id": team_id, "username": username, "password": password},
        )


async def members(owner: Owner) -> dict[str, str]:
    listed = await owner.client.get(f"/api/v1/teams/{owner.team_id}/members")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["email"]: item["role"] for item in items}


async def test_settings_never_return_the_password_and_need_a_signed_in_admin(
    slapd: Slapd, owner: Owner, other_owner: Owner
) -> None:
    by_key = await owner.key_client.put("/api/v1/directory/ldap", json=config(slapd))
    assert_problem(by_key, 403, "INTERACTIVE_SESSION_REQUIRED")
    saved = await owner.client.put("/api/v1/directory/ldap", json=config(slapd))
    assert saved.status_code == 200, saved.text
    assert "bind_password" not in saved.json() and saved.json()["bind_password_set"] is True
    # a later PUT without the password keeps it
    kept = {k: v for k, v in config(slapd).items() if k != "bind_password"}
    again = await owner.client.put("/api/v1/directory/ldap", json=kept)
    assert again.json()["bind_password_set"] is True
    tested = (await owner.client.post("/api/v1/directory/ldap/test")).json()
    assert tested == {"ok": True, "users_found": 4, "groups_found": 2, "error": None}
    # the stored password never goes to another server without being given again
    moved = await owner.client.put(
        "/api/v1/directory/ldap", json={**kept, "url": "ldap://127.0.0.1:9"}
    )
    assert_problem(moved, 422, "VALIDATION_ERROR")
    assert (await owner.client.get("/api/v1/directory/ldap")).json()["url"] == slapd.url
    # another team sees no directory and cannot sync this one
    assert_problem(await other_owner.client.get("/api/v1/directory/ldap"), 404, "NOT_FOUND")
    assert_problem(await other_owner.client.post("/api/v1/directory/ldap/sync"), 404, "NOT_FOUND")


BAD_SETTINGS: list[dict[str, Any]] = [
    {"url": "http://127.0.0.1"},
    {"url": "ldaps://127.0.0.1", "start_tls": True},
    {"user_filter": "(uid=alice"},
    {"user_base": "not a dn"},
    {"group_roles": {ADMINS: "owner"}},
    {"group_roles": {}, "default_role": None},
    {"uid_attribute": "uid)(x"},
    {"ca_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"},
    {"sync_interval_s": 5},
]


async def test_bad_settings_are_422_and_change_nothing(slapd: Slapd, owner: Owner) -> None:
    for change in BAD_SETTINGS:
        response = await owner.client.put("/api/v1/directory/ldap", json=config(slapd, **change))
        assert_problem(response, 422, "VALIDATION_ERROR")
    assert_problem(await owner.client.get("/api/v1/directory/ldap"), 404, "NOT_FOUND")


async def test_wrong_bind_password_fails_the_test_and_the_sync_changes_nothing(
    slapd: Slapd, owner: Owner
) -> None:
    await owner.client.put("/api/v1/directory/ldap", json=config(slapd, bind_password="nope"))
    tested = (await owner.client.post("/api/v1/directory/ldap/test")).json()
    assert tested["ok"] is False and "bind refused" in tested["error"]
    run = (await owner.client.post("/api/v1/directory/ldap/sync")).json()
    assert run["status"] == "failed" and run["created"] == 0 and run["errors"]
    assert "alice@example.org" not in await members(owner)


async def test_sync_login_and_disabling(app: FastAPI, slapd: Slapd, owner: Owner) -> None:
    await owner.client.put("/api/v1/directory/ldap", json=config(slapd))
    run = await owner.client.post("/api/v1/directory/ldap/sync")
    assert run.status_code == 200, run.text
    assert run.json() | {"errors": []} == run.json()
    assert (run.json()["seen"], run.json()["created"], run.json()["disabled"]) == (3, 3, 0)
    roles = await members(owner)
    # dave is in no mapped group and there is no default role: not synced
    assert {
        k: roles.get(k) for k in ("alice@example.org", "bob@example.org", "dave@example.org")
    } == {
        "alice@example.org": "admin",
        "bob@example.org": "viewer",
        "dave@example.org": None,
    }

    wrong = await login(app, owner.team_id, "bob", "wrong")
    assert_problem(wrong, 401, "INVALID_CREDENTIALS")
    assert_problem(await login(app, owner.team_id, "bob", ""), 422, "VALIDATION_ERROR")
    assert_problem(
        await login(app, owner.team_id, "dave", PASSWORDS["dave"]), 401, "INVALID_CREDENTIALS"
    )
    signed = await login(app, owner.team_id, "bob", PASSWORDS["bob"])
    assert signed.status_code == 200, signed.text
    token = signed.json()["tokens"]["access_token"]
    async with client_for(app) as bob:
        bob.headers.update({"Authorization": f"Bearer {token}", "X-Team-ID": owner.team_id})
        assert (await bob.get("/api/v1/documents")).status_code == 200
        # bob leaves the mapped group: the next sync disables him, his token stops at once
        slapd.modify(
            f"dn: {USERS}\nchangetype: modify\ndelete: member\nmember: uid=bob,ou=people,{SUFFIX}\n"
        )
        second = (await owner.client.post("/api/v1/directory/ldap/sync")).json()
        assert (second["created"], second["disabled"]) == (0, 1)
        assert_problem(await bob.get("/api/v1/documents"), 401, "INVALID_TOKEN")
    assert_problem(
        await login(app, owner.team_id, "bob", PASSWORDS["bob"]), 401, "INVALID_CREDENTIALS"
    )
    # back in the group: enabled again by the next (scheduled) sync
    slapd.modify(
        f"dn: {USERS}\nchangetype: modify\nadd: member\nmember: uid=bob,ou=people,{SUFFIX}\n"
    )
    async with app.state.runtime.db.session() as session:
        await session.execute(update(LdapDirectory).values(last_sync_at=None))
    assert await sync_due(app.state.runtime) == 1
    assert await sync_due(app.state.runtime) == 0  # claimed and done: not due again yet
    assert (await login(app, owner.team_id, "bob", PASSWORDS["bob"])).status_code == 200
    runs = (await owner.client.get("/api/v1/directory/ldap/sync-runs")).json()["items"]
    assert [r["trigger"] for r in runs] == ["scheduled", "manual", "manual"]
    assert runs[0]["updated"] == 1
    one = await owner.client.get(f"/api/v1/directory/ldap/sync-runs/{runs[0]['id']}")
    assert one.status_code == 200
    audit = (await owner.client.get("/api/v1/audit/logs", params={"limit": 100})).json()["items"]
    actions = {entry["action"] for entry in audit}
    assert {
        "directory.user_created",
        "directory.user_disabled",
        "directory.user_enabled",
    } <= actions


async def test_another_teams_directory_cannot_sign_into_this_team(
    app: FastAPI, slapd: Slapd, owner: Owner, other_owner: Owner
) -> None:
    await owner.client.put("/api/v1/directory/ldap", json=config(slapd))
    await owner.client.post("/api/v1/directory/ldap/sync")
    # the other team has the same directory but never synced: nobody of it signs in there
    await other_owner.client.put("/api/v1/directory/ldap", json=config(slapd))
    refused = await login(app, other_owner.team_id, "alice", PASSWORDS["alice"])
    assert_problem(refused, 401, "INVALID_CREDENTIALS")
    # and the other team's sync refuses the addresses this team's directory already manages
    run = (await other_owner.client.post("/api/v1/directory/ldap/sync")).json()
    assert run["created"] == 0 and len(run["errors"]) == 3
    ok = await login(app, owner.team_id, "alice", PASSWORDS["alice"])
    assert ok.status_code == 200
    async with client_for(app) as alice:
        alice.headers.update(
            {
                "Authorization": f"Bearer {ok.json()['tokens']['access_token']}",
                "X-Team-ID": other_owner.team_id,
            }
        )
        assert (await alice.get("/api/v1/documents")).status_code in (401, 404)


async def test_tls_settings(slapd: Slapd, owner: Owner) -> None:
    """ldaps:// and StartTLS against the server's certificate for localhost."""

    async def tested(**settings: Any) -> dict[str, Any]:
        saved = await owner.client.put("/api/v1/directory/ldap", json=config(slapd, **settings))
        assert saved.status_code == 200, saved.text
        return dict((await owner.client.post("/api/v1/directory/ldap/test")).json())

    ldaps = f"ldaps://localhost:{slapd.tls_port}"
    assert (await tested(url=ldaps, ca_certificate=slapd.ca_pem))["ok"] is True
    unknown_ca = await tested(url=ldaps, ca_certificate=None)
    assert unknown_ca["ok"] is False and "certificate" in unknown_ca["error"].lower()
    assert (await tested(url=ldaps, ca_certificate=None, verify_tls=False))["ok"] is True
    # the certificate names localhost, not 127.0.0.1
    other_name = f"ldaps://127.0.0.1:{slapd.tls_port}"
    assert (await tested(url=other_name, ca_certificate=slapd.ca_pem))["ok"] is False
    start_tls = f"ldap://localhost:{slapd.port}"
    assert (await tested(url=start_tls, start_tls=True, ca_certificate=slapd.ca_pem))["ok"] is True
    refused = await tested(url=start_tls, start_tls=True, ca_certificate=None)
    assert refused["ok"] is False
