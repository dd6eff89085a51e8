"""Refused WebSockets are audited: a ``websocket.refused`` entry per (IP, reason, team) and
minute, with a count of the repeats. Real uvicorn, real sockets, real SQLite; the coalescing
itself is checked on the log with a short window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from sqlalchemy import select

from folio.audit.models import AuditEntry
from folio.realtime import refusals
from folio.realtime.refusals import ANY_IP, MAX_WINDOWS, RefusalLog, Refused
from folio.realtime.service import CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED
from tests.factories import Account
from tests.live import serving

LOGS = "/api/v1/audit/logs"


def refused(ip: str = "10.0.0.1", reason: str = "INVALID_TOKEN", **who: Any) -> Refused:
    return Refused(reason=reason, close_code=CLOSE_UNAUTHORIZED, ip=ip, **who)


class TestCoalescing:
    async def test_the_first_is_recorded_at_once_and_the_repeats_counted_after_the_window(
        self,
    ) -> None:
        rows: list[dict[str, Any]] = []
        log = RefusalLog(rows.append, window_s=0.2)
        for _ in range(5):
            log.refused(refused())
        assert [row["changed_fields"] for row in rows] == [[]]
        await asyncio.sleep(0.4)
        assert [row["changed_fields"] for row in rows] == [[], ["repeated:4"]]
        log.refused(refused())  # a new window
        assert len(rows) == 3 and rows[2]["changed_fields"] == []
        log.close_all()
        assert len(rows) == 3  # nothing was repeated in that window

    async def test_reason_ip_and_team_each_open_their_own_window(self) -> None:
        rows: list[dict[str, Any]] = []
        log = RefusalLog(rows.append)
        log.refused(refused())
        log.refused(refused(reason="TOO_MANY_CONNECTIONS"))
        log.refused(refused(ip="10.0.0.2"))
        log.refused(refused(team_id="team_a"))
        log.refused(refused(team_id="team_b"))
        log.refused(refused(team_id="team_b"))
        assert [(r["ip"], r["resource_id"], r["team_id"]) for r in rows] == [
            ("10.0.0.1", "INVALID_TOKEN", None),
            ("10.0.0.1", "TOO_MANY_CONNECTIONS", None),
            ("10.0.0.2", "INVALID_TOKEN", None),
            ("10.0.0.1", "INVALID_TOKEN", "team_a"),
            ("10.0.0.1", "INVALID_TOKEN", "team_b"),
        ]
        log.close_all()
        assert rows[-1]["team_id"] == "team_b" and rows[-1]["changed_fields"] == ["repeated:1"]

    async def test_a_spray_from_many_addresses_is_bounded(self) -> None:
        rows: list[dict[str, Any]] = []
        log = RefusalLog(rows.append)
        for n in range(MAX_WINDOWS + 500):
            log.refused(refused(ip=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"))
        assert len(rows) == MAX_WINDOWS + 1
        assert rows[-1]["ip"] == ANY_IP
        log.close_all()
        assert rows[-1]["ip"] == ANY_IP and rows[-1]["changed_fields"] == ["repeated:499"]

    async def test_a_failing_sink_never_reaches_the_socket(self) -> None:
        def broken(row: dict[str, Any]) -> None:
            raise RuntimeError("database gone")

        log = RefusalLog(broken)
        log.refused(refused())  # logged, not raised
        log.close_all()

    def test_the_entry_names_reason_close_code_address_and_who(self) -> None:
        row = refusals.entry(
            refused(team_id="team_a", user_id="usr_1", key_id="key_1", actor_type="api_key")
        )
        assert row["action"] == "websocket.refused" and row["outcome"] == "denied"
        assert (row["resource_id"], row["status_code"], row["ip"]) == (
            "INVALID_TOKEN",
            CLOSE_UNAUTHORIZED,
            "10.0.0.1",
        )
        assert (row["team_id"], row["actor_user_id"], row["actor_key_id"]) == (
            "team_a",
            "usr_1",
            "key_1",
        )


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"ws_max_connections_per_user": 1, "analytics_realtime_interval_s": 0}


@pytest.fixture
async def url(app: FastAPI) -> AsyncIterator[str]:
    async with serving(app) as base:
        yield base.replace("http", "ws") + "/api/v1/ws"


async def close_code(socket: Any) -> int:
    async with asyncio.timeout(10):
        try:
            while True:
                await socket.recv()
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code


async def refused_entries(app: FastAPI) -> list[AuditEntry]:
    await app.state.activity.flush()
    async with app.state.runtime.db.session(write=False) as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "websocket.refused")
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(LOGS, params={"action": "websocket.refused"})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


class TestRefusedSockets:
    async def test_a_bad_token_flood_leaves_one_entry_with_the_address(
        self, app: FastAPI, url: str
    ) -> None:
        for _ in range(3):
            socket = await websockets.connect(url + "?token=fk_not_a_key")
            assert await close_code(socket) == CLOSE_UNAUTHORIZED
        [entry] = await refused_entries(app)
        assert entry.team_id is None and entry.actor_type == "anonymous"
        assert entry.ip == "127.0.0.1" and entry.status_code == CLOSE_UNAUTHORIZED
        assert entry.resource_id == "INVALID_TOKEN" and entry.route == "/api/v1/ws"
        assert entry.changed_fields == []

    async def test_a_silent_client_is_refused_for_the_timeout(self, app: FastAPI, url: str) -> None:
        app.state.runtime.settings.ws_auth_timeout_s = 0.3
        socket = await websockets.connect(url)
        assert await close_code(socket) == CLOSE_UNAUTHORIZED
        [entry] = await refused_entries(app)
        assert entry.resource_id == "AUTH_TIMEOUT"

    async def test_too_many_connections_is_in_the_teams_trail_only(
        self,
        app: FastAPI,
        url: str,
        admin: Account,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
    ) -> None:
        headers = {"Authorization": f"Bearer {admin.api_key}"}
        first = await websockets.connect(url, additional_headers=headers)
        assert json.loads(await first.recv())["type"] == "auth:success"
        second = await websockets.connect(url, additional_headers=headers)
        assert await close_code(second) == CLOSE_TOO_MANY
        await first.close()
        [entry] = await listed(client)
        assert entry["team_id"] == admin.team_id and entry["actor_type"] == "api_key"
        assert entry["actor_key_id"] and entry["resource_id"] == "TOO_MANY_CONNECTIONS"
        assert entry["status_code"] == CLOSE_TOO_MANY and entry["ip"] == "127.0.0.1"
        assert await listed(second_client) == []
