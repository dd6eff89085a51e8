"""Teams, members, invitations, custom roles and assignments; nobody grants what they lack."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from folio.core.db import utcnow
from folio.core.permissions import BuiltinRole
from tests.factories import PASSWORD, Account, client_for, create_account
from tests.helpers import assert_problem, upload_ok
from tests.smtp import Inbox

NEWCOMER = "nia@example.com"


async def signed_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "a long enough password"}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


class TestTeams:
    async def test_create_a_team_and_work_in_it_with_x_team_id(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        headers = await signed_in(anonymous_client, "ann@example.com")
        team = (
            await anonymous_client.post(
                "/api/v1/teams",
                headers=headers,
                json={"name": "Legal", "settings": {"require_approval": True, "max_members": 5}},
            )
        ).json()

        in_team = {**headers, "X-Team-Id": team["id"]}
        document = await upload_ok(
            anonymous_client, content=b"legal text", filename="l.txt", headers=in_team
        )
        personal = (await anonymous_client.get("/api/v1/documents", headers=headers)).json()
        legal = (await anonymous_client.get("/api/v1/documents", headers=in_team)).json()

        assert team["role"] == "owner" and team["settings"]["max_members"] == 5
        assert document["team_id"] == team["id"]
        assert personal["items"] == []
        assert [d["id"] for d in legal["items"]] == [document["id"]]

    async def test_x_team_id_of_a_team_you_are_not_in(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, admin: Account
    ) -> None:
        headers = await signed_in(anonymous_client, "eve@example.com")

        response = await anonymous_client.get(
            "/api/v1/documents", headers={**headers, "X-Team-Id": admin.team_id}
        )

        assert_problem(response, 404, "NOT_FOUND")

    async def test_update_and_delete(self, anonymous_client: httpx.AsyncClient) -> None:
        headers = await signed_in(anonymous_client, "ann@example.com")
        team = (
            await anonymous_client.post("/api/v1/teams", headers=headers, json={"name": "Temp"})
        ).json()
        personal = (await anonymous_client.get("/api/v1/auth/me", headers=headers)).json()

        renamed = await anonymous_client.patch(
            f"/api/v1/teams/{team['id']}", headers=headers, json={"name": "Renamed"}
        )
        deleted = await anonymous_client.delete(f"/api/v1/teams/{team['id']}", headers=headers)
        keep_personal = await anonymous_client.delete(
            f"/api/v1/teams/{personal['personal_team_id']}", headers=headers
        )

        assert renamed.json()["name"] == "Renamed"
        assert deleted.status_code == 204
        assert (
            await anonymous_client.get(f"/api/v1/teams/{team['id']}", headers=headers)
        ).status_code == 404
        assert_problem(keep_personal, 409, "CONFLICT")


class TestInvitations:
    async def test_invite_accept_approve(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        anonymous_client: httpx.AsyncClient,
        inbox: Inbox,
    ) -> None:
        await client.patch(
            f"/api/v1/teams/{admin.team_id}", json={"settings": {"require_approval": True}}
        )
        invited = await client.post(
            f"/api/v1/teams/{admin.team_id}/invitations", json={"email": NEWCOMER, "role": "viewer"}
        )
        headers = await signed_in(anonymous_client, NEWCOMER)
        token = inbox.token_for(NEWCOMER, "invited")
        intruder = await signed_in(anonymous_client, "eve@example.com")

        stolen = await anonymous_client.post(
            "/api/v1/invitations/accept", headers=intruder, json={"token": token}
        )
        accepted = await anonymous_client.post(
            "/api/v1/invitations/accept", headers=headers, json={"token": token}
        )
        pending = await anonymous_client.get(
            "/api/v1/documents", headers={**headers, "X-Team-Id": admin.team_id}
        )
        user_id = accepted.json()["user_id"]
        approved = await client.post(f"/api/v1/teams/{admin.team_id}/members/{user_id}/approve")
        active = await anonymous_client.get(
            "/api/v1/documents", headers={**headers, "X-Team-Id": admin.team_id}
        )
        again = await anonymous_client.post(
            "/api/v1/invitations/accept", headers=headers, json={"token": token}
        )

        assert invited.status_code == 201 and invited.json()["status"] == "pending"
        assert_problem(stolen, 404, "NOT_FOUND")  # the token is for another address
        assert accepted.json()["status"] == "pending" and accepted.json()["role"] == "viewer"
        assert_problem(pending, 404, "NOT_FOUND")
        assert approved.json()["status"] == "active"
        assert active.status_code == 200
        assert_problem(again, 409, "CONFLICT")

    async def test_cannot_invite_as_a_role_above_your_own(
        self, app: FastAPI, admin: Account
    ) -> None:
        member = await create_account(app, "mo@example.com", join_team=admin.team_id)
        async with client_for(app, member) as member_client:
            response = await member_client.post(
                f"/api/v1/teams/{admin.team_id}/invitations",
                json={"email": NEWCOMER, "role": "admin"},
            )
        assert_problem(response, 403, "FORBIDDEN")  # members lack team:manage


class TestMembersAndRoles:
    async def test_last_owner_cannot_leave_or_be_demoted(
        self, client: httpx.AsyncClient, admin: Account, viewer_account: Account
    ) -> None:
        members = (await client.get(f"/api/v1/teams/{admin.team_id}/members")).json()
        owner_id = next(m["user_id"] for m in members if m["role"] == "owner")

        leave = await client.delete(f"/api/v1/teams/{admin.team_id}/members/{owner_id}")
        demote = await client.patch(
            f"/api/v1/teams/{admin.team_id}/members/{owner_id}", json={"role": "member"}
        )
        promote = await client.patch(
            f"/api/v1/teams/{admin.team_id}/members/{viewer_account.user_id}",
            json={"role": "owner"},
        )
        then_demote = await client.patch(
            f"/api/v1/teams/{admin.team_id}/members/{owner_id}", json={"role": "admin"}
        )

        assert_problem(leave, 409, "LAST_OWNER")
        assert_problem(demote, 409, "LAST_OWNER")
        assert promote.json()["role"] == "owner"
        assert then_demote.json()["role"] == "admin"

    async def test_only_an_owner_demotes_or_removes_an_owner(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account, viewer_account: Account
    ) -> None:
        """Issue 25 item 5: with two owners, a team admin could demote or remove either."""
        team = f"/api/v1/teams/{admin.team_id}/members"
        promoted = await client.patch(f"{team}/{viewer_account.user_id}", json={"role": "owner"})
        assert promoted.json()["role"] == "owner"
        team_admin = await create_account(
            app, "ada@example.com", join_team=admin.team_id, role=BuiltinRole.admin
        )

        async with client_for(app, team_admin) as as_admin:
            demote = await as_admin.patch(
                f"{team}/{viewer_account.user_id}", json={"role": "member"}
            )
            remove = await as_admin.delete(f"{team}/{viewer_account.user_id}")
        by_owner = await client.patch(f"{team}/{viewer_account.user_id}", json={"role": "member"})

        assert_problem(demote, 403, "FORBIDDEN")
        assert_problem(remove, 403, "FORBIDDEN")
        assert by_owner.json()["role"] == "member"

    async def test_viewer_can_leave_on_their_own(
        self, viewer_client: httpx.AsyncClient, admin: Account, viewer_account: Account
    ) -> None:
        response = await viewer_client.delete(
            f"/api/v1/teams/{admin.team_id}/members/{viewer_account.user_id}"
        )

        assert response.status_code == 204

    async def test_custom_role_with_expiring_assignment(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        viewer_account: Account,
        anonymous_client: httpx.AsyncClient,
    ) -> None:
        """Signed in with a session, permissions follow role changes at once (an API key keeps
        the scopes it was created with)."""
        login = await anonymous_client.post(
            "/api/v1/auth/login", json={"email": viewer_account.email, "password": PASSWORD}
        )
        anonymous_client.headers.update(
            {
                "Authorization": f"Bearer {login.json()['tokens']['access_token']}",
                "X-Team-Id": admin.team_id,
            }
        )
        role = (
            await client.post(
                f"/api/v1/teams/{admin.team_id}/roles",
                json={"name": "Uploader", "permissions": ["documents:read", "documents:write"]},
            )
        ).json()
        before = await upload(anonymous_client)
        assignment = (
            await client.post(
                f"/api/v1/teams/{admin.team_id}/role-assignments",
                json={
                    "user_id": viewer_account.user_id,
                    "role": role["id"],
                    "expires_at": (utcnow() + timedelta(hours=1)).isoformat(),
                },
            )
        ).json()
        during = await upload(anonymous_client)
        audit = (await client.get(f"/api/v1/teams/{admin.team_id}/permissions/audit")).json()
        await client.delete(f"/api/v1/teams/{admin.team_id}/role-assignments/{assignment['id']}")
        after = await upload(anonymous_client)

        assert (before, during, after) == (403, 202, 403)
        viewer_entry = next(e for e in audit if e["user_id"] == viewer_account.user_id)
        assert "documents:write" in viewer_entry["permissions"]
        assert f"assignment:{assignment['id']}:{role['id']}" in viewer_entry["granted_by"]

    async def test_nobody_grants_what_they_do_not_hold(
        self, app: FastAPI, admin: Account, client: httpx.AsyncClient
    ) -> None:
        await client.post(
            f"/api/v1/teams/{admin.team_id}/roles",
            json={"name": "Manager", "permissions": ["team:manage"]},
        )
        manager = await create_account(app, "max@example.com", join_team=admin.team_id)
        roles = (await client.get(f"/api/v1/teams/{admin.team_id}/roles")).json()
        await client.patch(
            f"/api/v1/teams/{admin.team_id}/members/{manager.user_id}",
            json={"role": roles[0]["id"]},
        )
        async with client_for(
            app, Account(manager.user_id, manager.email, admin.team_id, manager.api_key)
        ) as manager_client:
            escalate = await manager_client.post(
                f"/api/v1/teams/{admin.team_id}/roles",
                json={"name": "Super", "permissions": ["team:manage", "audit:read"]},
            )
        assert_problem(escalate, 403, "FORBIDDEN")


async def upload(client: httpx.AsyncClient) -> int:
    response = await client.post(
        "/api/v1/documents", files={"file": ("v.txt", b"viewer text", "text/plain")}
    )
    return response.status_code


class TestRoleNames:
    async def test_renaming_to_a_taken_name_is_409_like_creating(
        self, admin: Account, client: httpx.AsyncClient
    ) -> None:
        url = f"/api/v1/teams/{admin.team_id}/roles"
        await client.post(url, json={"name": "Uploader", "permissions": ["documents:read"]})
        other = (await client.post(url, json={"name": "Reader", "permissions": []})).json()

        renamed = await client.patch(f"{url}/{other['id']}", json={"name": "Uploader"})
        created = await client.post(url, json={"name": "Uploader", "permissions": []})

        assert_problem(renamed, 409, "CONFLICT")
        assert_problem(created, 409, "CONFLICT")
        names = sorted(role["name"] for role in (await client.get(url)).json())
        assert names == ["Reader", "Uploader"]
