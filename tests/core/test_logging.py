"""Secrets in URLs never reach a log line: uvicorn's access and WebSocket lines included."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from fastapi import FastAPI

from tests.factories import Account
from tests.live import app_log_output, serving


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"log_level": "INFO", "log_json": True}


async def test_query_secrets_are_redacted_in_every_line(app: FastAPI, admin: Account) -> None:
    with app_log_output() as output:
        async with serving(app) as url:
            async with httpx.AsyncClient(base_url=url) as http:
                await http.get(f"/api/v1/documents?token={admin.api_key}&limit=5")
                await http.get("/api/v1/documents?api_key=fk_secret-key&password=hunter2")
            socket_url = url.replace("http", "ws") + f"/api/v1/ws?token={admin.api_key}"
            async with websockets.connect(socket_url) as socket:
                assert json.loads(await socket.recv())["type"] == "auth:success"

    text = output.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any("WebSocket /api/v1/ws?token=[redacted]" in line["event"] for line in lines)
    assert any("/api/v1/documents?token=[redacted]&limit=5" in line["event"] for line in lines)
    assert any("api_key=[redacted]&password=[redacted]" in line["event"] for line in lines)
    for secret in (admin.api_key, "fk_secret-key", "hunter2"):
        assert secret not in text
