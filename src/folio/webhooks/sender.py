"""Signs and sends one webhook request, refusing private targets unless allowed.

Signature per Standard Webhooks: ``webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`` with the secret's bytes (``whsec_`` + base64).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from folio.core.netguard import GuardedTransport, TargetRefused, resolve_checked

SECRET_PREFIX = "whsec_"
EXCERPT = 1000
ALLOW_SETTING = "FOLIO_WEBHOOK_ALLOWED_HOSTS"

__all__ = ["TargetRefused", "check_target", "guarded_client", "new_signing_secret", "send"]


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def guarded_client(allowed: list[str], timeout_s: float) -> httpx.AsyncClient:
    """A client that connects only to the address it checked, so a host whose DNS answer
    changes after :func:`check_target` (rebinding) cannot reach an internal address."""
    return httpx.AsyncClient(timeout=timeout_s, transport=GuardedTransport(allowed, ALLOW_SETTING))


async def check_target(url: str, allowed: list[str]) -> None:
    """Refuses non-http(s) URLs and hosts resolving to loopback, private, link-local (metadata)
    or reserved addresses, unless the host or its address is on the allow-list. An early,
    readable refusal; :func:`guarded_client` checks again at connection time."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Only http(s) URLs with a host are allowed.")
    await resolve_checked(parts.hostname, parts.port or 443, allowed, ALLOW_SETTING)


async def send(
    client: httpx.AsyncClient,
    url: str,
    *,
    secret: str,
    message_id: str,
    body: bytes,
    allowed: list[str],
    max_redirects: int,
) -> SendResult:
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Folio-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    started = time.perf_counter()
    try:
        response = await _post_following_redirects(
            client, url, headers, body, allowed, max_redirects
        )
    except (TargetRefused, httpx.HTTPError) as error:
        return SendResult(None, _elapsed_ms(started), "", f"{type(error).__name__}: {error}"[:500])
    return SendResult(response.status_code, _elapsed_ms(started), response.text[:EXCERPT], None)


async def _post_following_redirects(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: bytes,
    allowed: list[str],
    max_redirects: int,
) -> httpx.Response:
    for _ in range(max_redirects + 1):
        await check_target(url, allowed)  # again on every hop: a redirect may point inward
        response = await client.post(url, content=body, headers=headers, follow_redirects=False)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        url = urljoin(url, response.headers.get("location", ""))
    raise httpx.TooManyRedirects("too many redirects", request=response.request)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def payload_bytes_excerpt(body: bytes) -> str:
    return body[:EXCERPT].decode(errors="replace")
