"""Open sockets are re-authorised (issue 25 item 4): a change of membership, role, session or
key closes the sockets it ends, at once through the internal ``access.changed`` event and
periodically for a change nobody announced. Real uvicorn, real sockets, real SQLite."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from sqlalchemy import text

from folio.app import create_app
from folio.config import Settings
from folio.core.events import ACCESS_CHANGED, Event, access_changed
from folio.core.permissions import BuiltinRole
from tests.conftest import SCALEOUT
from tests.factories import PASSWORD, Account, client_for, create_account
from tests.live import serving

EVENT_DRIVEN_S = 5.0  # far below the default ws_reauth_interval_s (60 s): only a signal fits


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"analytics_realtime_interval_s": 0}  # no summaries among the messages counted


@pytest.fixture
async def url(app: FastAPI) -> AsyncIterator[str]:
    async with serving(app) as base:
        yield base.replace("http", "ws") + "/api/v1/ws"


@pytest.fixture
async def member(app: FastAPI, admin: Account) -> Account:
    return await create_account(app, "mo@example.com", join_team=admin.team_id)


@pytest.fixture
async def colleague(app: FastAPI, admin: Account) -> Account:
    """A second member of the same team, whose socket nothing here may disturb."""
    return await create_account(app, "cy@example.com", join_team=admin.team_id)


async def receive(socket: Any, seconds: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        return json.loads(await socket.recv())


async def listening(url: str, token: str, team_id: str | None = None) -> Any:
    """A socket signed in with ``token`` (acting in ``team_id``), subscribed to its team."""
    socket = await websockets.connect(url)
    auth = {"token": token} | ({"team_id": team_id} if team_id else {})
    await socket.send(json.dumps({"type": "auth", "payload": auth}))
    welcome = await receive(socket)
    assert welcome["type"] == "auth:success", welcome
    await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": "team"}}))
    assert (await receive(socket))["type"] == "subscribed"
    return socket


async def until_closed(socket: Any, seconds: float = EVENT_DRIVEN_S) -> tuple[list[Any], int]:
    """Every message until the server closes the socket, and the close code."""
    seen = []
    async with asyncio.timeout(seconds):
        try:
            while True:
                seen.append(json.loads(await socket.recv()))
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            return seen, closed.rcvd.code


async def until_pong(socket: Any) -> list[dict[str, Any]]:
    """Everything delivered before the answer to a ping sent now (the socket is open)."""
    await socket.send(json.dumps({"type": "ping", "timestamp": 9}))
    seen = []
    while (message := await receive(socket)) != {"type": "pong", "timestamp": 9}:
        seen.append(message)
    return seen


async def access_token(app: FastAPI, email: str) -> str:
    async with client_for(app) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
    assert response.status_code == 200, response.text
    return str(response.json()["tokens"]["access_token"])


async def upload(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/documents", files={"file": ("n.txt", b"team news")})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def event_types(messages: list[dict[str, Any]]) -> list[str]:
    return [m["payload"]["type"] for m in messages if m["type"] == "event"]


async def test_a_removed_member_is_closed_and_hears_nothing_more(
    app: FastAPI,
    url: str,
    client: httpx.AsyncClient,
    admin: Account,
    member: Account,
    colleague: Account,
) -> None:
    removed = await listening(url, await access_token(app, member.email), admin.team_id)
    removed_by_key = await listening(url, member.api_key)
    stays = await listening(url, colleague.api_key)

    gone = await client.delete(f"/api/v1/teams/{admin.team_id}/members/{member.user_id}")
    document_id = await upload(client)  # at once: must not reach the removed member
    removed_saw, removed_code = await until_closed(removed)
    key_saw, key_code = await until_closed(removed_by_key)
    colleague_saw = await until_pong(stays)
    while document_id not in json.dumps(colleague_saw):
        colleague_saw.append(await receive(stays))
    await stays.close()

    assert gone.status_code == 204, gone.text
    assert [m["type"] for m in removed_saw] == ["auth:error"]
    assert removed_saw[0]["payload"]["code"] == "FORBIDDEN"
    assert removed_code == 4403  # the session holds, the team membership is gone
    assert [m["type"] for m in key_saw] == ["auth:error"]
    assert key_code == 4401  # a key whose creator left the team no longer signs in
    assert "team.member_left" in event_types(colleague_saw)
    assert "document.uploaded" in event_types(colleague_saw)


async def test_a_signed_out_session_is_closed(
    app: FastAPI, url: str, admin: Account, member: Account, colleague: Account
) -> None:
    token = await access_token(app, member.email)
    signed_out = await listening(url, token, admin.team_id)
    other_session = await listening(url, await access_token(app, member.email), admin.team_id)
    stays = await listening(url, colleague.api_key)

    async with client_for(app) as http:
        logout = await http.post(
            "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
        )
    saw, code = await until_closed(signed_out)
    other_open = await until_pong(other_session)
    colleague_open = await until_pong(stays)
    await other_session.close()
    await stays.close()

    assert logout.status_code == 204, logout.text
    assert [m["type"] for m in saw] == ["auth:error"]
    assert saw[0]["payload"]["code"] == "UNAUTHORIZED"
    assert code == 4401
    assert other_open == [] and colleague_open == []  # only that session ended


async def test_a_revoked_key_is_closed(
    app: FastAPI, url: str, member: Account, colleague: Account
) -> None:
    revoked = await listening(url, member.api_key)
    stays = await listening(url, colleague.api_key)
    async with client_for(app, member) as http:
        key_id = (await http.get("/api/v1/keys")).json()["items"][0]["id"]
        revoke = await http.delete(f"/api/v1/keys/{key_id}")

    saw, code = await until_closed(revoked)
    still_open = await until_pong(stays)
    await stays.close()

    assert revoke.status_code == 204, revoke.text
    assert [m["type"] for m in saw] == ["auth:error"] and code == 4401
    assert still_open == []


async def test_a_role_without_documents_read_closes(
    url: str, client: httpx.AsyncClient, admin: Account, member: Account, colleague: Account
) -> None:
    socket = await listening(url, member.api_key)
    stays = await listening(url, colleague.api_key)
    role = await client.post(
        f"/api/v1/teams/{admin.team_id}/roles",
        json={"name": "Numbers only", "permissions": ["analytics:read"]},
    )
    changed = await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{member.user_id}",
        json={"role": role.json()["id"]},
    )

    saw, code = await until_closed(socket)
    still_open = await until_pong(stays)
    await stays.close()

    assert changed.status_code == 200, changed.text
    assert [m["type"] for m in saw] == ["auth:error"]
    assert saw[0]["payload"] == {"code": "FORBIDDEN", "message": "Needs documents:read."}
    assert code == 4403
    assert event_types(still_open) == ["team.role_changed"]


async def test_a_role_change_that_keeps_access_refreshes_the_permissions(
    url: str, client: httpx.AsyncClient, admin: Account, member: Account
) -> None:
    socket = await listening(url, member.api_key)
    changed = await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{member.user_id}",
        json={"role": BuiltinRole.viewer},
    )
    updated = await receive(socket, EVENT_DRIVEN_S)
    while updated["type"] == "event":
        updated = await receive(socket, EVENT_DRIVEN_S)
    still_open = await until_pong(socket)
    await socket.close()

    assert changed.status_code == 200, changed.text
    assert updated == {
        "type": "auth:updated",
        "payload": {
            "permissions": ["analytics:read", "datasets:read", "documents:read", "workflows:read"]
        },
    }
    assert all(m["type"] == "event" for m in still_open)


async def test_access_changes_reach_no_socket_and_no_log(
    url: str, client: httpx.AsyncClient, admin: Account, member: Account
) -> None:
    watcher = await listening(url, admin.api_key)
    await watcher.send(json.dumps({"type": "subscribe", "payload": {"channel": "system"}}))
    assert (await receive(watcher))["type"] == "subscribed"
    await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{member.user_id}", json={"role": "viewer"}
    )
    seen = await until_pong(watcher)
    await asyncio.sleep(0.2)
    seen += await until_pong(watcher)
    await watcher.close()
    logged = await client.get("/api/v1/events", params={"limit": 100})

    assert "team.role_changed" in event_types(seen)
    assert ACCESS_CHANGED not in event_types(seen)
    assert ACCESS_CHANGED not in {event["type"] for event in logged.json()["items"]}


class TestPeriodicCheck:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"ws_reauth_interval_s": 0.3, "analytics_realtime_interval_s": 0}

    async def test_a_change_nobody_announced_is_caught(
        self, app: FastAPI, url: str, admin: Account, member: Account, colleague: Account
    ) -> None:
        socket = await listening(url, member.api_key)
        stays = await listening(url, colleague.api_key)
        async with app.state.runtime.db.session() as session:  # no service: no event
            await session.execute(
                text("DELETE FROM memberships WHERE user_id = :user"), {"user": member.user_id}
            )

        saw, code = await until_closed(socket, seconds=5)
        await asyncio.sleep(0.7)  # two more periods: the colleague passes its checks
        still_open = await until_pong(stays)
        await stays.close()

        assert [m["type"] for m in saw] == ["auth:error"] and code == 4401
        assert still_open == []


async def access_changes_until(heard: asyncio.Queue[Event], user_id: str) -> list[Event]:
    """The access.changed events heard, up to the one naming ``user_id``."""
    published: list[Event] = []
    async with asyncio.timeout(10):
        while not published or published[-1].data.get("user_id") != user_id:
            event = await heard.get()
            if event.type == ACCESS_CHANGED:
                published.append(event)
    return published


async def test_an_access_change_is_published_only_after_commit(app: FastAPI) -> None:
    runtime = app.state.runtime
    async with runtime.bus.subscribe() as heard:
        with pytest.raises(RuntimeError):
            async with runtime.db.session() as session:
                access_changed(session, team_id="team_x", user_id="usr_rolled_back")
                raise RuntimeError("the change fails")
        async with runtime.db.session() as session:
            access_changed(session, team_id="team_x", user_id="usr_kept")
            access_changed(session, team_id="team_x", user_id="usr_kept")  # once is enough
        published = await access_changes_until(heard, "usr_kept")
        await asyncio.sleep(0.2)  # a duplicate would follow soon (on Redis, not at once)
        while not heard.empty():
            published += [e for e in [heard.get_nowait()] if e.type == ACCESS_CHANGED]

    assert [(e.type, e.data) for e in published] == [
        (ACCESS_CHANGED, {"team_id": "team_x", "user_id": "usr_kept"})
    ]


@pytest.mark.skipif(not SCALEOUT, reason="needs FOLIO_TEST_BACKEND=scaleout (PostgreSQL, Redis)")
async def test_a_change_in_one_api_process_closes_a_socket_held_by_another(
    settings: Settings,
    client: httpx.AsyncClient,
    admin: Account,
    member: Account,
    colleague: Account,
) -> None:
    """Two runtimes that share only PostgreSQL and Redis: the member is removed through the
    first, the socket is held by the second."""
    other = create_app(settings)
    async with other.router.lifespan_context(other), serving(other) as base:
        async with asyncio.timeout(10):
            await other.state.runtime.bus.connected.wait()
        url = base.replace("http", "ws") + "/api/v1/ws"
        removed = await listening(url, member.api_key)
        stays = await listening(url, colleague.api_key)
        gone = await client.delete(f"/api/v1/teams/{admin.team_id}/members/{member.user_id}")
        saw, code = await until_closed(removed)
        still_open = await until_pong(stays)
        await stays.close()

    assert gone.status_code == 204, gone.text
    assert [m["type"] for m in saw] == ["auth:error"] and code == 4401
    assert event_types(still_open) == ["team.member_left"]
