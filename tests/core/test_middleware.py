"""Security headers on every response, and an unhandled error that can be traced."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import assert_problem, upload_ok
from tests.live import app_log_output

HARDENING = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def assert_hardened(response: httpx.Response) -> None:
    for name, value in HARDENING.items():
        assert response.headers.get(name) == value, (response.url, name)


def assert_served_as_sandboxed_attachment(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert_hardened(response)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["content-disposition"].startswith("attachment;")


class TestSecurityHeaders:
    async def test_json_errors_and_anonymous_answers(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        for response in (
            await client.get("/api/v1/documents"),
            await client.get("/api/v1/documents/doc_missing"),
            await anonymous_client.get("/api/v1/documents"),
            await anonymous_client.get("/health"),
        ):
            assert_hardened(response)
            assert response.headers["content-security-policy"] == API_POLICY
            assert "strict-transport-security" not in response.headers  # plain HTTP

    async def test_the_api_docs_keep_their_scripts(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        response = await anonymous_client.get("/docs")

        assert_hardened(response)
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"

    async def test_an_uploaded_html_original_downloads_sandboxed(
        self, client: httpx.AsyncClient
    ) -> None:
        html = b"<html><script>alert(document.cookie)</script></html>"
        document = await upload_ok(client, content=html, filename="page.html")

        response = await client.get(f"/api/v1/documents/{document['id']}/file")

        assert_served_as_sandboxed_attachment(response)

    async def test_a_shared_download_is_sandboxed(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"<p onclick=alert(1)>x</p>", filename="x.html")
        link = (await client.post(f"/api/v1/documents/{document['id']}/shares", json={})).json()

        response = await anonymous_client.get(f"/api/v1/shared/{link['token']}")

        assert_served_as_sandboxed_attachment(response)


async def boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"log_level": "ERROR", "log_json": True}


class TestUnhandledError:
    async def test_the_500_carries_the_request_id_in_body_header_and_log(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        app.add_api_route("/api/v1/test-only/boom", boom)  # a route that really fails

        with app_log_output() as output:
            response = await client.get("/api/v1/test-only/boom")

        body = assert_problem(response, 500, "INTERNAL_ERROR")
        request_id = response.headers.get("x-request-id", "")
        assert re.fullmatch(r"req_\w+", request_id), response.headers
        assert body["request_id"] == request_id
        assert_hardened(response)
        logged = [json.loads(line) for line in output.getvalue().splitlines()]
        error = next(line for line in logged if line["event"].startswith("unhandled error"))
        assert error["request_id"] == request_id and "RuntimeError: a bug" in error["exception"]

    async def test_a_given_request_id_is_kept(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        app.add_api_route("/api/v1/test-only/boom", boom)

        response = await client.get("/api/v1/test-only/boom", headers={"X-Request-Id": "trace-42"})

        assert response.headers["x-request-id"] == "trace-42"
        assert response.json()["request_id"] == "trace-42"
