"""A stand-in for an OpenAI-compatible chat-completions server (a real HTTP server on
loopback): it answers a field question by reading the document in the request, as a model
would, or misbehaves on purpose (slow, not JSON, an invented value, HTTP 500)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# how the stand-in "reads" a field: the text after a label in the document
READS = {
    "issuer": r"^From:\s*(.+)$",
    "total": r"Amount to pay\s*([\d.,]+)",
    "due": r"Pay before\s*(.+)$",
}


class StandIn(ThreadingHTTPServer):
    behaviour = "ok"  # ok | slow | not_json | invented | error | null
    requests: list[dict[str, Any]]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class ChatHandler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        behaviour = self.server.behaviour
        if behaviour == "slow":
            time.sleep(1.5)
        if behaviour == "error" or self.path != "/v1/chat/completions":
            return self._send(500, {"error": {"message": "model overloaded"}})
        self._send(200, {"choices": [{"index": 0, "message": {"content": self._answer(body)}}]})

    def _answer(self, body: dict[str, Any]) -> str:
        question = body["messages"][-1]["content"]
        name = re.search(r"^Field: (\w+)", question, re.MULTILINE)
        document = question.split("Document:\n", 1)[-1]
        pattern = READS.get(name.group(1) if name else "", r"(?!)")
        found = re.search(pattern, document, re.MULTILINE | re.IGNORECASE)
        value = found.group(1).strip() if found else None
        behaviour = self.server.behaviour
        if behaviour == "not_json":
            return f"The answer is {value}."
        if behaviour == "invented":
            value = "Imaginary Holdings Ltd"
        if behaviour == "null":
            value = None
        return "```json\n" + json.dumps({"value": value}) + "\n```"

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with suppress(BrokenPipeError):  # the client gave up waiting (the timeout tests)
            self.wfile.write(data)


@contextmanager
def chat_standin() -> Iterator[StandIn]:
    server = StandIn(("127.0.0.1", 0), ChatHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
