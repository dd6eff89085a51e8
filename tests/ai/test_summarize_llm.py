"""Abstractive summaries through an OpenAI-compatible endpoint: a stand-in chat-completions
server on loopback (a real HTTP server), and the extractive fallback when it fails."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.helpers import upload_ok, wait_settled

TEXT = (
    "This service agreement starts on 1 March 2025 and runs for two years. "
    "Either party may terminate it with thirty days notice in writing. "
    "The client pays a monthly fee of EUR 5,000 within fourteen days of each invoice. "
    "The agreement is governed by the laws of Germany. "
    "The provider guarantees an uptime of 99.9 percent for the platform."
)


class StandIn(ThreadingHTTPServer):
    behaviour = "ok"  # ok | error | slow | garbage
    requests: list[dict[str, Any]]


class ChatHandler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        if self.server.behaviour == "slow":
            time.sleep(2)
        if self.server.behaviour == "error" or self.path != "/v1/chat/completions":
            return self._send(500, {"error": {"message": "model overloaded"}})
        if self.server.behaviour == "garbage":
            return self._send(200, {"choices": []})
        document = body["messages"][-1]["content"]
        content = (
            f"A two-year service agreement of {len(document.split())} words, governed by German "
            "law.\nKEY POINTS:\n- Two-year term\n- 30 days notice\n- EUR 5,000 a month"
        )
        self._send(
            200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def chat_server() -> Iterator[StandIn]:
    server = StandIn(("127.0.0.1", 0), ChatHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def settings_overrides(chat_server: StandIn) -> dict[str, object]:
    return {
        "llm_base_url": f"http://127.0.0.1:{chat_server.server_address[1]}/v1",
        "llm_model": "stand-in-1",
        "llm_api_key": "sk-local-test",
        "llm_timeout_s": 1.0,
    }


async def summarize(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/ai/summarize", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_abstractive_summary_of_a_document(
    client: httpx.AsyncClient, chat_server: StandIn
) -> None:
    document = await upload_ok(client, content=TEXT.encode(), filename="agreement.txt")
    await wait_settled(client, document["id"])

    result = await summarize(
        client, document_id=document["id"], mode="abstractive", length="short", focus=["notice"]
    )

    assert result["mode"] == "abstractive" and result["fallback"] is False
    assert result["model"] == "stand-in-1"
    assert result["summary"]["method"] == "abstractive"
    assert result["summary"]["text"].startswith("A two-year service agreement of")
    assert [k["text"] for k in result["summary"]["key_points"]] == [
        "Two-year term",
        "30 days notice",
        "EUR 5,000 a month",
    ]
    (sent,) = chat_server.requests
    assert sent["auth"] == "Bearer sk-local-test"
    assert sent["body"]["model"] == "stand-in-1"
    assert "governed by the laws of Germany" in sent["body"]["messages"][-1]["content"]
    assert "notice" in sent["body"]["messages"][0]["content"]


@pytest.mark.parametrize("behaviour", ["error", "slow", "garbage"])
async def test_failure_falls_back_to_extractive(
    client: httpx.AsyncClient, chat_server: StandIn, behaviour: str
) -> None:
    chat_server.behaviour = behaviour

    result = await summarize(client, text=TEXT, mode="abstractive")

    assert result["mode"] == "extractive" and result["fallback"] is True
    assert result["fallback_reason"].startswith("LLM_FAILED")
    assert result["summary"]["method"] == "extractive" and result["summary"]["text"]


async def test_extractive_by_default(client: httpx.AsyncClient, chat_server: StandIn) -> None:
    result = await summarize(client, text=TEXT)

    assert result["mode"] == "extractive" and result["fallback"] is False
    assert chat_server.requests == []


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_not_configured(client: httpx.AsyncClient) -> None:
    result = await summarize(client, text=TEXT, mode="abstractive")

    assert result["fallback"] is True and result["fallback_reason"] == "LLM_NOT_CONFIGURED"
