"""A real `folio serve` on 127.0.0.1: key allow-lists against the socket's address and the
trusted proxy's X-Forwarded-For, HSTS behind a TLS-terminating proxy, and a start that stops
because an encryption key is missing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets

from folio.core import crypto
from tests.e2e.server import Server, bootstrap_key

pytestmark = pytest.mark.e2e
KEY = crypto.new_key()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("hardening") / "data",
        FOLIO_ENCRYPTION_KEYS=json.dumps({"k1": KEY}),
        FOLIO_WORKERS="0",
    )
    running.api_key = bootstrap_key(running.data_dir)
    running.start()
    yield running
    running.stop()


def key_with(server: Server, allowed_ips: list[str]) -> str:
    with server.client() as client:
        created = client.post("/api/v1/keys", json={"name": "net", "allowed_ips": allowed_ips})
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


def get_documents(server: Server, key: str, **headers: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/v1/documents",
        headers={"Authorization": f"Bearer {key}", **headers},
        timeout=30,
    )


def test_a_key_is_refused_outside_its_allow_list(server: Server) -> None:
    loopback = key_with(server, ["127.0.0.1/32"])
    office = key_with(server, ["10.0.0.0/8"])

    assert get_documents(server, loopback).status_code == 200
    refused = get_documents(server, office)
    assert refused.status_code == 403
    assert refused.json()["code"] == "ADDRESS_NOT_ALLOWED"
    # the loopback peer is a trusted proxy (uvicorn's FORWARDED_ALLOW_IPS default): the
    # address it forwards is the client's
    forwarded = {"X-Forwarded-For": "10.1.2.3"}
    assert get_documents(server, office, **forwarded).status_code == 200
    assert get_documents(server, loopback, **forwarded).status_code == 403


async def test_a_websocket_with_the_key_is_refused_outside_its_allow_list(
    server: Server,
) -> None:
    office = key_with(server, ["10.0.0.0/8"])
    url = server.url.replace("http", "ws") + "/api/v1/ws"
    for socket in (
        await websockets.connect(f"{url}?token={office}"),
        await websockets.connect(url, additional_headers={"Authorization": f"Bearer {office}"}),
    ):
        async with asyncio.timeout(30):
            refusal = json.loads(await socket.recv())
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.recv()
        assert refusal["type"] == "auth:error"
        assert refusal["payload"]["code"] == "ADDRESS_NOT_ALLOWED"
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_hsts_only_behind_tls(server: Server) -> None:
    plain = get_documents(server, server.api_key)
    behind_tls = get_documents(server, server.api_key, **{"X-Forwarded-Proto": "https"})

    assert "strict-transport-security" not in plain.headers
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
    assert behind_tls.headers["x-content-type-options"] == "nosniff"


def test_a_start_without_the_key_stops_with_a_clear_message(server: Server) -> None:
    """Last in the module: it stops the shared server, whose first start recorded k1."""
    server.stop()
    other = Server(server.data_dir, FOLIO_ENCRYPTION_KEYS=json.dumps({"k2": crypto.new_key()}))
    try:
        with pytest.raises(RuntimeError, match=r"encrypted with key\(s\) k1"):
            other.start()
    finally:
        other.stop()
