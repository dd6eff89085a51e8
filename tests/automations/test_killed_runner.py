"""Exactly once per (rule, event) across a SIGKILL: a real `folio serve` is killed while a
run's webhook step is in flight; the restarted server finishes the run without doing the
steps already done again."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server, bootstrap_key

pytestmark = pytest.mark.timeout(180)


class HangingReceiver:
    """Holds the first request until released; answers the others at once."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.first_arrived, self.release = threading.Event(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(dict(self.headers.items()))
                if len(receiver.requests) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[HangingReceiver]:
    hanging = HangingReceiver()
    yield hanging
    hanging.release.set()
    hanging.server.shutdown()


def poll(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise TimeoutError("condition not reached")


def test_a_killed_runner_never_repeats_a_done_step(
    tmp_path: Path, receiver: HangingReceiver
) -> None:
    data_dir = tmp_path / "data"
    server = Server(
        data_dir,
        FOLIO_AUTOMATION_POLL_S="0.1",
        FOLIO_AUTOMATION_LEASE_S="2",
        FOLIO_WEBHOOK_ALLOWED_HOSTS='["127.0.0.1"]',
        FOLIO_ANALYSIS_ENABLED="false",
    )
    server.api_key = bootstrap_key(data_dir)
    server.start()
    try:
        with server.client() as client:
            rule_id, document_id = _set_up(client, receiver.url)
        assert receiver.first_arrived.wait(60), server.stderr_text()
        server.kill()  # mid-run: step 0 committed, step 1 (the webhook) in flight
        receiver.release.set()

        server.start()
        with server.client() as client:
            run = poll(lambda: _settled(client, rule_id))
            tagged = client.get("/api/v1/events", params={"type": "document.tagged"}).json()
            document = client.get(f"/api/v1/documents/{document_id}").json()
    finally:
        server.stop()

    assert run["status"] == "succeeded", run
    assert [step["status"] for step in run["steps"]] == ["done", "done", "done"]
    assert sorted(e["data"]["tag"] for e in tagged["items"]) == ["after", "before"]  # once each
    assert document["tags"] == ["after", "before"]
    # the webhook step was in flight at the kill: sent again, with the same message id
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["webhook-id"] == receiver.requests[1]["webhook-id"]


def _set_up(client: httpx.Client, url: str) -> tuple[str, str]:
    for name in ("before", "after"):
        assert client.post("/api/v1/tags", json={"name": name}).status_code == 201
    webhook = client.post("/api/v1/webhooks", json={"url": url, "event_types": ["none.none"]})
    rule = client.post(
        "/api/v1/automations",
        json={
            "name": "three steps",
            "trigger": {"type": "document.uploaded"},
            "actions": [
                {"kind": "add_tags", "tags": ["before"]},
                {"kind": "call_webhook", "webhook_id": webhook.json()["id"]},
                {"kind": "add_tags", "tags": ["after"]},
            ],
        },
    )
    assert rule.status_code == 201, rule.text
    upload = client.post(
        "/api/v1/documents", files={"file": ("k.txt", b"kill me gently", "text/plain")}
    )
    assert upload.status_code == 202, upload.text
    return rule.json()["id"], upload.json()["id"]


def _settled(client: httpx.Client, rule_id: str) -> dict[str, Any] | None:
    items = client.get(f"/api/v1/automations/{rule_id}/runs").json()["items"]
    return items[0] if items and items[0]["status"] != "pending" else None
