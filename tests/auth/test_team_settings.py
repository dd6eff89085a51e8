"""Team settings take effect: default permissions for new members, a member limit, approval."""

from __future__ import annotations

import httpx

from tests.factories import Account
from tests.helpers import assert_problem
from tests.smtp import Inbox

PASSWORD = "a long enough password"


async def join(
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    inbox: Inbox,
    team_id: str,
    email: str,
    role: str = "viewer",
) -> tuple[dict[str, str], httpx.Response]:
    """Invited, registered, accepted: the newcomer's headers (in the team) and the answer."""
    invited = await client.post(
        f"/api/v1/teams/{team_id}/invitations", json={"email": email, "role": role}
    )
    assert invited.status_code == 201, invited.text
    registered = await anonymous_client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    signed_in = {"Authorization": f"Bearer {registered.json()['tokens']['access_token']}"}
    accepted = await anonymous_client.post(
        "/api/v1/invitations/accept",
        headers=signed_in,
        json={"token": inbox.token_for(email, "invited")},
    )
    return {**signed_in, "X-Team-Id": team_id}, accepted


class TestDefaultPermissions:
    async def test_new_members_get_them_and_earlier_members_do_not(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        anonymous_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
        inbox: Inbox,
    ) -> None:
        updated = await client.patch(
            f"/api/v1/teams/{admin.team_id}",
            json={"settings": {"default_permissions": ["audit:read"]}},
        )
        headers, accepted = await join(
            client, anonymous_client, inbox, admin.team_id, "nia@example.com"
        )

        newcomer = await anonymous_client.get("/api/v1/audit/logs", headers=headers)
        earlier = await viewer_client.get("/api/v1/audit/logs")
        upload = await anonymous_client.post(
            "/api/v1/documents", headers=headers, files={"file": ("n.txt", b"no", "text/plain")}
        )

        assert updated.json()["settings"]["default_permissions"] == ["audit:read"]
        assert accepted.json()["role"] == "viewer"
        assert newcomer.status_code == 200
        assert_problem(earlier, 403, "FORBIDDEN")
        assert_problem(upload, 403, "FORBIDDEN")  # defaults add only what they list

    async def test_nobody_sets_defaults_they_do_not_hold(
        self, client: httpx.AsyncClient, admin: Account
    ) -> None:
        response = await client.patch(
            f"/api/v1/teams/{admin.team_id}",
            json={"settings": {"default_permissions": ["system:admin"]}},
        )

        assert_problem(response, 403, "FORBIDDEN")


class TestMaxMembers:
    async def test_invite_and_accept_stop_at_the_limit(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        anonymous_client: httpx.AsyncClient,
        inbox: Inbox,
    ) -> None:
        await client.patch(f"/api/v1/teams/{admin.team_id}", json={"settings": {"max_members": 2}})
        first = await client.post(
            f"/api/v1/teams/{admin.team_id}/invitations", json={"email": "one@example.com"}
        )
        second = await client.post(
            f"/api/v1/teams/{admin.team_id}/invitations", json={"email": "two@example.com"}
        )
        tokens = [inbox.token_for(e, "invited") for e in ("one@example.com", "two@example.com")]
        accepted = []
        for email, token in zip(("one@example.com", "two@example.com"), tokens, strict=True):
            registered = await anonymous_client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            access = registered.json()["tokens"]["access_token"]
            accepted.append(
                await anonymous_client.post(
                    "/api/v1/invitations/accept",
                    headers={"Authorization": f"Bearer {access}"},
                    json={"token": token},
                )
            )
        third = await client.post(
            f"/api/v1/teams/{admin.team_id}/invitations", json={"email": "three@example.com"}
        )
        members = (await client.get(f"/api/v1/teams/{admin.team_id}/members")).json()

        assert first.status_code == 201 and second.status_code == 201  # invitations are cheap
        assert accepted[0].status_code == 200
        assert_problem(accepted[1], 409, "TEAM_FULL")
        assert_problem(third, 409, "TEAM_FULL")
        assert len(members) == 2

    async def test_approval_also_respects_the_limit(
        self,
        client: httpx.AsyncClient,
        admin: Account,
        anonymous_client: httpx.AsyncClient,
        inbox: Inbox,
    ) -> None:
        await client.patch(
            f"/api/v1/teams/{admin.team_id}",
            json={"settings": {"require_approval": True, "max_members": 3}},
        )
        _, pending = await join(client, anonymous_client, inbox, admin.team_id, "p@example.com")
        await client.patch(f"/api/v1/teams/{admin.team_id}", json={"settings": {"max_members": 1}})
        refused = await client.post(
            f"/api/v1/teams/{admin.team_id}/members/{pending.json()['user_id']}/approve"
        )
        await client.patch(f"/api/v1/teams/{admin.team_id}", json={"settings": {"max_members": 3}})
        approved = await client.post(
            f"/api/v1/teams/{admin.team_id}/members/{pending.json()['user_id']}/approve"
        )

        assert pending.json()["status"] == "pending"
        assert_problem(refused, 409, "TEAM_FULL")
        assert approved.json()["status"] == "active"
