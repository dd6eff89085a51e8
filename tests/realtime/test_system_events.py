"""The newer event types over real sockets to a real `folio serve`: system events reach every
user, team events (analytics.realtime, team.document_shared) only that team's members."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.server import FOLIO, Server
from tests.realtime.test_websocket import receive, subscribe, ws_url

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


def folio_admin(server: Server, *arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [str(FOLIO), "admin", *arguments, "--data-dir", str(server.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("system-events") / "data",
        FOLIO_ANALYTICS_REALTIME_INTERVAL_S="0.5",
    )
    folio_admin(
        running, "create-user", "ops@example.com", "--role", "admin", "--password", PASSWORD
    )
    running.api_key = folio_admin(running, "create-key", "--user", "ops@example.com", "--json")[
        "key"
    ]
    folio_admin(running, "create-user", "bo@example.com", "--password", PASSWORD)
    running.other_key = folio_admin(running, "create-key", "--user", "bo@example.com", "--json")[  # type: ignore[attr-defined]
        "key"
    ]
    running.start()
    yield running
    running.stop()


def admin_token(server: Server) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/auth/login",
        json={"email": "ops@example.com", "password": PASSWORD},
        timeout=30,
    )
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


async def connect(server: Server, key: str, *channels: str) -> tuple[Any, str]:
    """A signed-in socket subscribed to ``channels``, and its team id."""
    socket = await websockets.connect(ws_url(server, token=key))
    welcome = await receive(socket)
    assert welcome["type"] == "auth:success", welcome
    for channel in channels:
        await subscribe(socket, channel)
    return socket, welcome["payload"]["team_id"]


async def next_event(socket: Any, type_: str, team_id: str | None = None) -> dict[str, Any]:
    while True:
        message = await receive(socket, 20)
        payload = message.get("payload", {})
        wanted = message["type"] == "event" and payload["type"] == type_
        if wanted and (team_id is None or payload["team_id"] == team_id):
            return payload


async def until_pong(socket: Any) -> list[dict[str, Any]]:
    """Everything delivered before the answer to a ping sent now."""
    await socket.send(json.dumps({"type": "ping", "timestamp": 7}))
    seen = []
    while True:
        message = await receive(socket)
        if message == {"type": "pong", "timestamp": 7}:
            return seen
        seen.append(message["payload"])


def upload(server: Server, key: str) -> str:
    response = httpx.post(
        f"{server.url}/api/v1/documents",
        headers={"Authorization": f"Bearer {key}"},
        files={"file": ("n.txt", b"team activity")},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def test_a_broadcast_reaches_every_team(server: Server) -> None:
    mine, _ = await connect(server, server.api_key, "system")
    theirs, _ = await connect(server, server.other_key, "system")  # type: ignore[attr-defined]
    team_only, _ = await connect(server, server.other_key, "team")  # type: ignore[attr-defined]

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        sent = await http.post(
            "/api/v1/system/broadcasts",
            headers=admin_token(server),
            json={"message": "Upgrade tonight"},
        )
    received = [await next_event(s, "system.broadcast") for s in (mine, theirs, team_only)]
    for socket in (mine, theirs, team_only):
        await socket.close()

    assert sent.status_code == 201, sent.text
    # also to a socket subscribed to its team only: a broadcast is for every connected user
    assert [event["id"] for event in received] == [sent.json()["id"]] * 3
    assert received[1]["data"]["message"] == "Upgrade tonight"


async def test_analytics_reach_only_their_team(server: Server) -> None:
    mine, team_a = await connect(server, server.api_key, "team")
    theirs, _ = await connect(server, server.other_key, "team")  # type: ignore[attr-defined]

    upload(server, server.api_key)
    summary = await next_event(mine, "analytics.realtime", team_a)
    await asyncio.sleep(1.2)  # more summaries of team A are published meanwhile
    leaked = [event for event in await until_pong(theirs) if event["team_id"] == team_a]
    await mine.close()
    await theirs.close()

    assert summary["data"]["team_id"] == team_a
    assert summary["data"]["requests_last_minute"] >= 1
    assert set(summary["data"]) >= {
        "documents_processed",
        "documents_failed",
        "documents_in_progress",
        "interval_s",
    }
    assert leaked == []


async def test_a_share_is_announced_to_the_team_only(server: Server) -> None:
    document_id = upload(server, server.api_key)
    mine, team_a = await connect(server, server.api_key, "team")
    theirs, _ = await connect(server, server.other_key, "team")  # type: ignore[attr-defined]

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        created = await http.post(
            f"/api/v1/documents/{document_id}/shares",
            headers={"Authorization": f"Bearer {server.api_key}"},
            json={},
        )
    shared = await next_event(mine, "team.document_shared")
    leaked = [event for event in await until_pong(theirs) if event["team_id"] == team_a]
    await mine.close()
    await theirs.close()

    assert created.status_code == 201, created.text
    assert shared["data"]["share_id"] == created.json()["id"]
    assert leaked == []


def test_status_is_announced_on_stop_and_start(server: Server) -> None:
    server.stop()
    server.start()
    with server.client() as client:
        response = client.get("/api/v1/events", params={"type": "system.status"})

    states = [event["data"]["state"] for event in response.json()["items"]]
    assert states == ["started", "stopping", "started"]
