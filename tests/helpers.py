"""Small HTTP helpers for tests: upload a file, wait for it to settle."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

TERMINAL = {"completed", "failed", "cancelled"}


async def upload(
    client: httpx.AsyncClient,
    path: Path | None = None,
    *,
    content: bytes | None = None,
    filename: str | None = None,
    options: dict[str, Any] | str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    body = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
    name = filename if filename is not None else path.name  # type: ignore[union-attr]
    data = {}
    if options is not None:
        data["options"] = options if isinstance(options, str) else json.dumps(options)
    return await client.post(
        "/api/v1/documents",
        files={"file": (name, body, content_type)},
        data=data,
        headers=headers or {},
    )


async def upload_ok(
    client: httpx.AsyncClient, path: Path | None = None, **kwargs: Any
) -> dict[str, Any]:
    response = await upload(client, path, **kwargs)
    assert response.status_code == 202, response.text
    return response.json()


async def wait_settled(
    client: httpx.AsyncClient, document_id: str, seconds: float = 240
) -> dict[str, Any]:
    """Long-polls (the server caps one wait at 60 s) until the document settles."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = max(1.0, deadline - time.monotonic())
        response = await client.get(
            f"/api/v1/documents/{document_id}", params={"wait": min(remaining, 60)}
        )
        assert response.status_code == 200, response.text
        document = response.json()
        if document["status"] in TERMINAL or time.monotonic() >= deadline:
            assert document["status"] in TERMINAL, document
            return document


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    for member in ("type", "title", "status", "detail", "instance", "request_id"):
        assert member in body, body
    assert body["status"] == status
    assert response.headers["x-request-id"] == body["request_id"]
    return body
