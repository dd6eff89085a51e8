"""A real `folio serve`: audit entries and usage counts buffered in memory survive a normal
shutdown (SIGTERM), and the rate-limit headers come through uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server, bootstrap_key

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    # a flush interval of an hour: only the shutdown flush can write what the requests buffer
    running = Server(tmp_path / "data", FOLIO_AUDIT_FLUSH_INTERVAL_S="3600")
    running.api_key = bootstrap_key(running.data_dir)
    running.start()
    yield running
    running.stop()


def test_nothing_buffered_is_lost_on_sigterm(server: Server) -> None:
    with server.client() as client:
        for i in range(3):
            response = client.post("/api/v1/keys", json={"name": f"e2e {i}"})
            assert response.status_code == 201, response.text
            assert response.headers["x-ratelimit-limit"]
            assert response.headers["ratelimit-policy"].startswith('"minute";q=')
    server.stop()
    server.start()
    with server.client() as client:
        logs = client.get("/api/v1/audit/logs", params={"action": "keys.create"}).json()
        usage = client.get("/api/v1/usage/current").json()
    assert len(logs["items"]) == 3
    assert usage["api_calls"]["used"] >= 3
