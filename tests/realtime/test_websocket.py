"""Real WebSocket clients against a real `folio serve` process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.server import Server, bootstrap_key

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("ws") / "data", FOLIO_WS_MAX_CONNECTIONS_PER_USER="3")
    running.api_key = bootstrap_key(running.data_dir)
    running.other_key = bootstrap_key(running.data_dir, "other@example.com")  # type: ignore[attr-defined]
    running.start()
    yield running
    running.stop()


def ws_url(server: Server, **query: str) -> str:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return server.url.replace("http", "ws") + "/api/v1/ws" + suffix


async def receive(socket: Any, seconds: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        return json.loads(await socket.recv())


async def signed_in(server: Server, key: str) -> Any:
    socket = await websockets.connect(ws_url(server))
    await socket.send(json.dumps({"type": "auth", "payload": {"token": key}}))
    welcome = await receive(socket)
    assert welcome["type"] == "auth:success", welcome
    return socket


async def subscribe(socket: Any, channel: str, **extra: str) -> None:
    await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": channel, **extra}}))
    answer = await receive(socket)
    assert answer == {"type": "subscribed", "payload": {"channel": channel}}, answer


def upload(server: Server, content: bytes, name: str = "note.txt") -> str:
    with server.client() as client:
        response = client.post("/api/v1/documents", files={"file": (name, content)})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def events_until(socket: Any, document_id: str, final: str) -> list[dict[str, Any]]:
    seen = []
    while True:
        message = await receive(socket)
        assert message["type"] == "event", message
        payload = message["payload"]
        if payload["data"].get("document_id") != document_id:
            continue
        if not payload["type"].startswith("document."):
            continue  # job.* events of the same document travel on the same channel
        seen.append(message["payload"])
        if message["payload"]["type"] == final:
            return seen


async def test_auth_by_first_message_and_heartbeat(server: Server) -> None:
    socket = await websockets.connect(ws_url(server))
    await socket.send(json.dumps({"type": "auth", "payload": {"token": server.api_key}}))
    welcome = await receive(socket)
    await socket.send(json.dumps({"type": "ping", "timestamp": 42}))
    pong = await receive(socket)
    await socket.close()

    assert welcome["type"] == "auth:success"
    assert welcome["payload"]["user_id"].startswith("usr_")
    assert "documents:read" in welcome["payload"]["permissions"]
    assert pong == {"type": "pong", "timestamp": 42}


async def test_auth_by_token_parameter_and_refusal(server: Server) -> None:
    good = await websockets.connect(ws_url(server, token=server.api_key))
    welcome = await receive(good)
    bad = await websockets.connect(ws_url(server, token="fk_not_a_real_key"))
    refusal = await receive(bad)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await receive(bad)
    await good.close()

    assert welcome["type"] == "auth:success"
    assert refusal["type"] == "auth:error"
    assert closed.value.rcvd.code == 4401


async def test_progress_events_of_a_real_upload_in_order(server: Server) -> None:
    socket = await signed_in(server, server.api_key)
    await subscribe(socket, "team")

    document_id = upload(server, b"Progress, in order, over a real socket.")
    events = await events_until(socket, document_id, "document.processed")
    await socket.close()

    types = [event["type"] for event in events]
    assert types[0] == "document.uploaded"
    assert types[-1] == "document.processed"
    assert "document.processing" in types
    progress = [event["data"]["progress"] for event in events]
    assert progress == sorted(progress) and progress[-1] == 100
    ids = [event["id"] for event in events]
    assert ids == sorted(ids)


async def test_catch_up_after_reconnect(server: Server) -> None:
    socket = await signed_in(server, server.api_key)
    await subscribe(socket, "team")
    document_id = upload(server, b"Caught up later.")
    first = (await events_until(socket, document_id, "document.uploaded"))[0]
    await socket.close()
    with server.client() as client:  # processing finishes while nobody listens
        client.get(f"/api/v1/documents/{document_id}", params={"wait": 60}, timeout=70)

    again = await signed_in(server, server.api_key)
    await subscribe(again, f"document:{document_id}", last_event_id=first["id"])
    missed = await events_until(again, document_id, "document.processed")
    await again.close()

    assert missed[0]["id"] > first["id"]
    assert [e["type"] for e in missed][-1] == "document.processed"


async def test_another_team_receives_nothing(server: Server) -> None:
    other = await signed_in(server, server.other_key)  # type: ignore[attr-defined]
    await subscribe(other, "team")
    document_id = upload(server, b"Only for team A.")
    await other.send(
        json.dumps({"type": "subscribe", "payload": {"channel": f"document:{document_id}"}})
    )
    refused = await receive(other)
    with server.client() as client:
        client.get(f"/api/v1/documents/{document_id}", params={"wait": 60}, timeout=70)
    await other.send(json.dumps({"type": "ping", "timestamp": 1}))
    next_message = await receive(other)  # anything of team A would arrive before this pong
    await other.close()

    assert refused["type"] == "error" and refused["payload"]["code"] == "NOT_FOUND"
    assert next_message == {"type": "pong", "timestamp": 1}


async def test_connection_limit_per_user(server: Server) -> None:
    sockets = [await signed_in(server, server.api_key) for _ in range(3)]
    extra = await websockets.connect(ws_url(server, token=server.api_key))
    refusal = await receive(extra)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await receive(extra)
    for socket in sockets:
        await socket.close()

    assert refusal["payload"]["code"] == "TOO_MANY_CONNECTIONS"
    assert closed.value.rcvd.code == 4429


def test_server_still_healthy(server: Server) -> None:
    assert httpx.get(f"{server.url}/health").status_code == 200
