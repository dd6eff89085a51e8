"""Rules run by the real runner of the in-process app, polled quickly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

T = TypeVar("T")
FAST = {
    "automation_poll_s": 0.05,
    "automation_retry_base_s": 0.05,
    "automation_retry_max_s": 0.1,
    "webhook_allowed_hosts": ["127.0.0.1"],
    # the tests poll every 50 ms: on a busy machine a slow run would use up a plan's 60
    # requests a minute (the limits have their own tests in tests/ratelimit)
    "rate_limit_enabled": False,
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return FAST


async def eventually(check: Callable[[], Awaitable[T | None]], seconds: float = 60) -> T:
    async with asyncio.timeout(seconds):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.05)


async def create_rule(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/automations", json={"name": "rule", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def runs(client: httpx.AsyncClient, rule_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/automations/{rule_id}/runs")
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def settled_runs(
    client: httpx.AsyncClient, rule_id: str, count: int, seconds: float = 60
) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        items = await runs(client, rule_id)
        done = [run for run in items if run["status"] != "pending"]
        return done if len(done) >= count else None

    return await eventually(check, seconds)
