"""The scale-out storage: a real Redis server (skipped when ``redis-server`` is missing)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.helpers import assert_problem

TINY = {"minute": 3, "hour": 100, "day": 1000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def settings_overrides(redis_url: str) -> dict[str, object]:
    redis.Redis.from_url(redis_url).flushdb()
    return {"redis_url": redis_url, "rate_limit_plans": {"free": TINY}}


async def test_counters_live_in_redis(client: httpx.AsyncClient, redis_url: str) -> None:
    responses = [await client.get("/api/v1/documents") for _ in range(4)]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    assert_problem(responses[3], 429, "RATE_LIMITED")
    assert int(responses[3].headers["retry-after"]) >= 1
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*folio*")]
    assert any("minute" in key for key in keys), keys


class TestRedisDown:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"redis_url": f"redis://127.0.0.1:{free_port()}/0"}

    async def test_fails_open(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents")
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers
