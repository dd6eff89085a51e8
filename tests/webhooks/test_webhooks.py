"""Signed deliveries to a real receiver: retries, disabling, SSRF refusal, log, redelivery."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.timeout(120)


async def register(client: httpx.AsyncClient, url: str, **body: object) -> dict:
    response = await client.post("/api/v1/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def eventually(check, seconds: float = 30):  # type: ignore[no-untyped-def]
    """Polls ``check`` (the delivery log or the receiver) until it returns something."""
    async with asyncio.timeout(seconds):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.1)


async def deliveries(client: httpx.AsyncClient, webhook_id: str) -> list[dict]:
    response = await client.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    return response.json()["items"]


class TestDelivery:
    async def test_events_arrive_signed_per_standard_webhooks(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        webhook = await register(client, receiver.url)
        document = await upload_ok(client, content=b"hello webhooks", filename="h.txt")
        await wait_settled(client, document["id"])

        await eventually(lambda: _types(receiver, {"document.processed"}))
        verifier = Webhook(webhook["secret"])
        for request in receiver.requests:
            verified = verifier.verify(
                request.body, {k.lower(): v for k, v in request.headers.items()}
            )
            assert verified["team_id"] == document["team_id"]
        types = [json.loads(r.body)["type"] for r in receiver.requests]
        # deliveries go out concurrently: receivers order by the envelope's id, not by arrival
        assert {"document.uploaded", "document.processed"} <= set(types)
        assert webhook["secret"].startswith("whsec_")
        assert "secret" not in (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()

    async def test_event_filter(self, client: httpx.AsyncClient, receiver: Receiver) -> None:
        await register(client, receiver.url, event_types=["document.processed"])
        document = await upload_ok(client, content=b"only the end", filename="e.txt")
        await wait_settled(client, document["id"])

        await eventually(lambda: _types(receiver, {"document.processed"}))
        await asyncio.sleep(0.5)
        assert {json.loads(r.body)["type"] for r in receiver.requests} == {"document.processed"}

    async def test_retries_after_500s_then_succeeds(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        receiver.script = [500, 503]
        webhook = await register(client, receiver.url, event_types=["document.uploaded"])
        await upload_ok(client, content=b"retry me", filename="r.txt")

        delivered = await eventually(lambda: _delivery_with(client, webhook["id"], "succeeded"))

        assert delivered["attempts"] == 3
        assert delivered["last_status_code"] == 200
        assert delivered["response_excerpt"] == "answered 200"
        assert len(receiver.requests) == 3
        ids = {r.headers["webhook-id"] for r in receiver.requests}
        assert len(ids) == 1  # the same message id on every retry, for receiver dedup

    async def test_gone_disables_the_endpoint(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        receiver.script = [410]
        webhook = await register(client, receiver.url, event_types=["document.uploaded"])
        await upload_ok(client, content=b"gone", filename="g.txt")

        failed = await eventually(lambda: _delivery_with(client, webhook["id"], "failed"))
        endpoint = (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()

        assert failed["last_status_code"] == 410
        assert endpoint["is_active"] is False and "410" in endpoint["disabled_reason"]

    @pytest.mark.parametrize(
        "settings_overrides",
        [
            {
                "webhook_allowed_hosts": ["127.0.0.1"],
                "webhook_poll_s": 0.1,
                "webhook_retry_base_s": 0.05,
                "webhook_retry_max_s": 0.2,
                "webhook_disable_after_failures": 2,
            }
        ],
    )
    async def test_repeated_failure_disables_and_redelivery_works(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        receiver.script = [500, 500]
        webhook = await register(
            client, receiver.url, event_types=["document.uploaded"], max_attempts=5
        )
        await upload_ok(client, content=b"fails twice", filename="f.txt")
        failed = await eventually(lambda: _delivery_with(client, webhook["id"], "failed"))
        endpoint = (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()
        assert endpoint["is_active"] is False

        await client.patch(f"/api/v1/webhooks/{webhook['id']}", json={"is_active": True})
        again = await client.post(
            f"/api/v1/webhooks/{webhook['id']}/deliveries/{failed['id']}/redeliver"
        )
        delivered = await eventually(lambda: _delivery_with(client, webhook["id"], "succeeded"))

        assert again.json()["status"] == "pending"
        assert delivered["id"] == failed["id"]

    async def test_test_endpoint(self, client: httpx.AsyncClient, receiver: Receiver) -> None:
        webhook = await register(client, receiver.url)

        result = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()

        assert result["ok"] is True and result["status_code"] == 200
        assert result["response_excerpt"] == "answered 200"
        assert json.loads(receiver.requests[-1].body)["type"] == "webhook.test"


class TestSsrf:
    @pytest.mark.parametrize("settings_overrides", [{}])
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/x",
            "http://[::1]/x",
            "ftp://example.com/x",
        ],
    )
    async def test_private_targets_are_refused_without_the_allow_list(
        self, client: httpx.AsyncClient, url: str
    ) -> None:
        response = await client.post("/api/v1/webhooks", json={"url": url})

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] in ("url", "body.url")

    async def test_redirect_to_a_private_address_is_not_followed(
        self, client: httpx.AsyncClient, receiver: Receiver
    ) -> None:
        receiver.redirect_to = "http://10.0.0.7/internal"
        webhook = await register(client, receiver.url)

        result = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()

        assert result["ok"] is False
        assert "TargetRefused" in result["error"] and "10.0.0.7" in result["error"]
        assert len(receiver.requests) == 1

    @pytest.mark.parametrize("settings_overrides", [{}])
    async def test_dns_rebinding_to_loopback_is_refused_at_connection(
        self, client: httpx.AsyncClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # DNS is the remote service here: a name that answers public while Folio checks it
        # (registration, then the pre-send check) and loopback from then on
        monkeypatch.setattr(socket, "getaddrinfo", _rebinding(socket.getaddrinfo, checks=2))
        port = receiver.url.split(":")[2].split("/")[0]
        webhook = await register(client, f"http://{REBINDING_HOST}:{port}/hooks/folio")

        result = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()

        assert result["ok"] is False and result["status_code"] is None
        assert "TargetRefused" in result["error"] and "127.0.0.1" in result["error"]
        assert receiver.requests == []


REBINDING_HOST = "rebind.folio-test.example"


def _rebinding(real: Callable[..., Any], *, checks: int) -> Callable[..., Any]:
    answers = ["93.184.216.34"] * checks

    def getaddrinfo(host: str | bytes, port: int | str | None, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name != REBINDING_HOST:
            return real(host, port, *args, **kwargs)
        address = answers.pop(0) if answers else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    return getaddrinfo


async def _types(receiver: Receiver, wanted: set[str]) -> bool:
    return wanted <= {json.loads(r.body)["type"] for r in receiver.requests}


async def _delivery_with(client: httpx.AsyncClient, webhook_id: str, status: str) -> dict | None:
    return next((d for d in await deliveries(client, webhook_id) if d["status"] == status), None)
