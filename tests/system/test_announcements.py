"""system.status, system.maintenance and system.broadcast: admin-only, for everyone."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from folio.core.db import utcnow
from tests.factories import Account
from tests.helpers import assert_problem
from tests.smtp import Inbox


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {"workers": 0, "smtp_host": "127.0.0.1", "smtp_port": inbox.port}


@pytest.fixture
async def admin_headers(
    app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
) -> dict[str, str]:
    """System administration needs the admin signed in: API keys never carry system:admin."""
    response = await anonymous_client.post(
        "/api/v1/auth/login",
        json={"email": admin.email, "password": app.state.initial_credentials.password},
    )
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


async def system_events(client: httpx.AsyncClient, type_: str) -> list[dict]:
    return (await client.get("/api/v1/events", params={"type": type_})).json()["items"]


class TestStatus:
    async def test_start_and_admin_request_announce_the_status(
        self,
        anonymous_client: httpx.AsyncClient,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
    ) -> None:
        status = await anonymous_client.get("/api/v1/system/status", headers=admin_headers)
        announced = await anonymous_client.post(
            "/api/v1/system/status/announce", headers=admin_headers
        )
        events = await system_events(client, "system.status")

        assert status.status_code == 200, status.text
        assert status.json()["maintenance"] == {
            "active": False,
            "message": None,
            "starts_at": None,
            "ends_at": None,
            "announced_at": None,
            "event_id": None,
        }
        assert announced.json()["status"] in ("ok", "degraded")
        assert [e["data"]["state"] for e in events] == ["started", "running"]
        assert all(e["team_id"] == "system" for e in events)

    async def test_needs_system_admin(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        assert_problem(await client.get("/api/v1/system/status"), 403, "FORBIDDEN")
        assert_problem(
            await client.post("/api/v1/system/broadcasts", json={"message": "hi"}), 403, "FORBIDDEN"
        )
        assert_problem(
            await anonymous_client.get("/api/v1/system/maintenance"), 401, "UNAUTHORIZED"
        )


class TestMaintenance:
    async def test_announced_then_seen_by_everyone(
        self,
        anonymous_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        second_client: httpx.AsyncClient,
    ) -> None:
        starts = utcnow() + timedelta(hours=1)
        notice = {
            "message": "Database upgrade",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=30)).isoformat(),
        }
        created = await anonymous_client.post(
            "/api/v1/system/maintenance", headers=admin_headers, json=notice
        )
        seen = (await second_client.get("/api/v1/system/maintenance")).json()
        backwards = await anonymous_client.post(
            "/api/v1/system/maintenance",
            headers=admin_headers,
            json={**notice, "ends_at": notice["starts_at"], "starts_at": notice["ends_at"]},
        )
        ended = await anonymous_client.post(
            "/api/v1/system/maintenance",
            headers=admin_headers,
            json={"message": "Done", "active": False},
        )
        now = (await second_client.get("/api/v1/system/maintenance")).json()
        notified = (await second_client.get("/api/v1/notifications")).json()["items"]

        assert created.status_code == 200, created.text
        assert seen["active"] is True and seen["message"] == "Database upgrade"
        assert seen["event_id"] == created.json()["event_id"]
        assert_problem(backwards, 422, "VALIDATION_ERROR")
        assert ended.json()["active"] is False and now["active"] is False
        assert [n["body"] for n in notified] == ["Done", "Database upgrade"]


class TestBroadcast:
    async def test_every_account_is_notified_in_its_own_team(
        self,
        anonymous_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
        viewer_client: httpx.AsyncClient,
        inbox: Inbox,
    ) -> None:
        await second_client.put("/api/v1/notifications/preferences", json={"email_enabled": True})
        sent = await anonymous_client.post(
            "/api/v1/system/broadcasts",
            headers=admin_headers,
            json={"message": "Welcome to Folio 2", "level": "warning"},
        )
        theirs = (await second_client.get("/api/v1/notifications")).json()["items"]
        mine = (await client.get("/api/v1/notifications")).json()["items"]
        # the viewer's key acts in the admin's team; the notice is in their personal team
        viewers = (await viewer_client.get("/api/v1/notifications")).json()["items"]
        listed = await system_events(second_client, "system.broadcast")

        assert sent.status_code == 201, sent.text
        assert sent.json()["type"] == "system.broadcast"
        assert sent.json()["data"]["level"] == "warning"
        assert theirs[0]["body"] == "Welcome to Folio 2" and theirs[0]["category"] == "system"
        assert theirs[0]["team_id"] == second_account.team_id
        assert mine[0]["body"] == "Welcome to Folio 2"
        assert [e["id"] for e in listed] == [sent.json()["id"]]
        assert any(m["To"] == second_account.email for m in inbox.messages)
        assert [n["body"] for n in viewers] == ["Welcome to Folio 2"]

    async def test_a_message_is_required(
        self, anonymous_client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await anonymous_client.post(
            "/api/v1/system/broadcasts", headers=admin_headers, json={"message": "  "}
        )

        assert_problem(response, 422, "VALIDATION_ERROR")
