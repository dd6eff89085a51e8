"""A client that closes its WebSocket cleanly leaves nothing above debug in the logs."""

from __future__ import annotations

import asyncio
import gc
import json
import logging

import pytest
import websockets
from fastapi import FastAPI

from tests.factories import Account
from tests.live import serving


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"log_level": "DEBUG"}


async def test_a_clean_close_logs_nothing_above_debug(
    app: FastAPI, admin: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with serving(app) as url:
        socket_url = url.replace("http", "ws") + "/api/v1/ws"
        async with websockets.connect(socket_url) as socket:
            await socket.send(json.dumps({"type": "auth", "payload": {"token": admin.api_key}}))
            assert json.loads(await socket.recv())["type"] == "auth:success"
            await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": "team"}}))
            assert json.loads(await socket.recv())["type"] == "subscribed"
        await asyncio.sleep(0.5)  # the server side of the close runs
        gc.collect()  # a task whose exception nobody retrieved is reported when collected

    loud = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING
        or (r.name.startswith(("folio", "asyncio")) and r.levelno > logging.DEBUG)
    ]
    assert loud == [], [f"{r.levelname} {r.name}: {r.getMessage()}" for r in loud]
