"""Document shares: expiring, revocable public links, and shares with a member of the team."""

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

CONTENT = b"Minutes of the board meeting, to be shared."


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0, "share_link_max_ttl_s": 3600}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    return await upload_ok(client, content=CONTENT, filename="minutes.txt")


async def share(client: httpx.AsyncClient, document_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/v1/documents/{document_id}/shares", json=body)


class TestLinks:
    async def test_download_without_signing_in_until_revoked(
        self,
        client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        document: dict[str, Any],
    ) -> None:
        created = await share(client, document["id"])
        link = created.json()
        downloaded = await anonymous_client.get(f"/api/v1/shared/{link['token']}")
        listed = (await client.get(f"/api/v1/documents/{document['id']}/shares")).json()
        revoked = await client.delete(f"/api/v1/documents/{document['id']}/shares/{link['id']}")
        after = await anonymous_client.get(f"/api/v1/shared/{link['token']}")
        relisted = (await client.get(f"/api/v1/documents/{document['id']}/shares")).json()

        assert created.status_code == 201, created.text
        assert link["kind"] == "link" and link["status"] == "active"
        assert link["url"].endswith(f"/api/v1/shared/{link['token']}")
        assert downloaded.status_code == 200 and downloaded.content == CONTENT
        assert "minutes.txt" in downloaded.headers["content-disposition"]
        assert listed["items"][0]["download_count"] == 1
        assert "token" not in listed["items"][0]  # shown once, stored only as a hash
        assert revoked.status_code == 204
        assert_problem(after, 404, "NOT_FOUND")
        assert relisted["items"][0]["status"] == "revoked"

    async def test_a_link_expires(
        self,
        client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        document: dict[str, Any],
    ) -> None:
        soon = utcnow() + timedelta(seconds=1.5)
        link = (await share(client, document["id"], expires_at=soon.isoformat())).json()

        before = await anonymous_client.get(f"/api/v1/shared/{link['token']}")
        await asyncio.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.2)
        after = await anonymous_client.get(f"/api/v1/shared/{link['token']}")

        assert before.status_code == 200
        assert_problem(after, 404, "NOT_FOUND")

    async def test_expiry_must_be_ahead_and_within_the_limit(
        self, client: httpx.AsyncClient, document: dict[str, Any]
    ) -> None:
        past = await share(client, document["id"], expires_at=utcnow().isoformat())
        too_far = await share(
            client, document["id"], expires_at=(utcnow() + timedelta(days=2)).isoformat()
        )

        assert_problem(past, 422, "VALIDATION_ERROR")
        assert_problem(too_far, 422, "VALIDATION_ERROR")

    async def test_an_unknown_token_is_not_found(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.get("/api/v1/shared/" + "x" * 43)

        assert_problem(response, 404, "NOT_FOUND")

    async def test_sharing_is_announced_to_the_team(
        self, client: httpx.AsyncClient, document: dict[str, Any]
    ) -> None:
        link = (await share(client, document["id"])).json()

        events = (
            await client.get("/api/v1/events", params={"type": "team.document_shared"})
        ).json()["items"]

        assert events[0]["data"]["share_id"] == link["id"]
        assert events[0]["data"]["document_id"] == document["id"]
        assert link["token"] not in str(events[0])


class TestMembers:
    async def test_a_member_who_could_not_read_it_now_can_until_revoked(
        self,
        app: FastAPI,
        admin: Account,
        client: httpx.AsyncClient,
        document: dict[str, Any],
    ) -> None:
        reader = await create_account(app, "rae@example.com", join_team=admin.team_id)
        role = (
            await client.post(
                f"/api/v1/teams/{admin.team_id}/roles",
                json={"name": "Auditor", "permissions": ["audit:read"]},
            )
        ).json()
        await client.patch(
            f"/api/v1/teams/{admin.team_id}/members/{reader.user_id}", json={"role": role["id"]}
        )

        async with client_for(app, reader) as rae:
            before = await rae.get(f"/api/v1/documents/{document['id']}")
            created = await share(client, document["id"], kind="member", user_id=reader.user_id)
            during = await rae.get(f"/api/v1/documents/{document['id']}")
            notified = (await rae.get("/api/v1/notifications")).json()["items"]
            await client.delete(f"/api/v1/documents/{document['id']}/shares/{created.json()['id']}")
            after = await rae.get(f"/api/v1/documents/{document['id']}")
        admins = (await client.get("/api/v1/notifications")).json()["items"]

        assert_problem(before, 403, "FORBIDDEN")
        assert created.status_code == 201 and created.json()["token"] is None
        assert during.status_code == 200
        assert notified[0]["title"] == "A document was shared with you"
        assert document["id"] in notified[0]["body"]
        assert_problem(after, 403, "FORBIDDEN")
        assert all(n["title"] != "A document was shared with you" for n in admins)

    async def test_only_members_of_the_team(
        self,
        client: httpx.AsyncClient,
        second_account: Account,
        document: dict[str, Any],
    ) -> None:
        response = await share(
            client, document["id"], kind="member", user_id=second_account.user_id
        )

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "user_id"


class TestTenancy:
    async def test_another_team_a_viewer_and_anonymous(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        document: dict[str, Any],
    ) -> None:
        link = (await share(client, document["id"])).json()
        base = f"/api/v1/documents/{document['id']}/shares"

        foreign = [
            await second_client.post(base, json={}),
            await second_client.get(base),
            await second_client.delete(f"{base}/{link['id']}"),
        ]
        viewer_list = await viewer_client.get(base)
        viewer_writes = [
            await viewer_client.post(base, json={}),
            await viewer_client.delete(f"{base}/{link['id']}"),
        ]
        anonymous = [
            await anonymous_client.post(base, json={}),
            await anonymous_client.get(base),
        ]

        for response in foreign:
            assert_problem(response, 404, "NOT_FOUND")
        assert viewer_list.status_code == 200
        for response in viewer_writes:
            assert_problem(response, 403, "FORBIDDEN")
        for response in anonymous:
            assert_problem(response, 401, "UNAUTHORIZED")
