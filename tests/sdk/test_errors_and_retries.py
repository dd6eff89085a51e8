"""Problem documents become typed exceptions; 429 is retried after what Retry-After says."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from folio_client import (
    AsyncFolio,
    AuthenticationError,
    Folio,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ValidationError,
)

from folio.ratelimit.middleware import RateLimitMiddleware
from tests.factories import Account


def rate_limiter(app: FastAPI) -> RateLimitMiddleware:
    layer = app.middleware_stack
    while not isinstance(layer, RateLimitMiddleware):
        layer = layer.app  # type: ignore[union-attr]
    return layer


async def test_problems_map_to_typed_errors_and_a_long_wait_is_not_made(
    base_url: str, admin: Account
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        with pytest.raises(NotFoundError) as missing:
            await folio.documents.get("doc_" + "0" * 26)
        with pytest.raises(ValidationError) as invalid:
            await folio.documents.upload(b"x", filename="x.txt", options={"ocr": "sometimes"})
        listed = [d async for d in folio.documents.list()]
        slow = await folio.keys.create("slow", rate_limit_per_minute=1)
    async with AsyncFolio(base_url, api_key="fk_not-a-key") as stranger:
        with pytest.raises(AuthenticationError) as refused:
            await stranger.documents.get("doc_" + "0" * 26)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    # the server asks for up to a minute; this client waits half a second at most
    policy = RetryPolicy(max_wait=0.5)
    async with AsyncFolio(base_url, api_key=slow.key, retry=policy, sleep=sleep) as limited_client:
        await limited_client.teams.list().__anext__()
        with pytest.raises(RateLimitedError) as limited:
            await limited_client.documents.get("doc_" + "0" * 26)

    assert missing.value.status == 404 and missing.value.code == "NOT_FOUND"
    assert missing.value.request_id and missing.value.problem["instance"].endswith("0" * 26)
    assert invalid.value.status == 422 and invalid.value.code == "VALIDATION_ERROR"
    assert invalid.value.errors  # the field errors of the problem document
    assert listed == []  # the refused upload changed nothing
    assert refused.value.status == 401 and refused.value.code == "INVALID_TOKEN"
    assert refused.value.request_id
    assert waits == []  # raised at once, not after a sleep
    assert limited.value.code == "RATE_LIMITED" and limited.value.status == 429
    assert limited.value.retry_after is not None and limited.value.retry_after >= 1
    assert limited.value.headers["x-ratelimit-remaining"] == "0"


async def test_a_429_is_retried_after_the_servers_retry_after(
    app: FastAPI, base_url: str, admin: Account
) -> None:
    async with httpx.AsyncClient(base_url=base_url, headers=admin.headers) as http:
        created = await http.post("/api/v1/keys", json={"name": "slow", "rate_limit_per_minute": 2})
    key = created.json()["key"]
    limiter = rate_limiter(app)
    loop = asyncio.get_running_loop()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        # the time the server asked for passes at once: its minute window starts afresh
        waits.append(seconds)
        asyncio.run_coroutine_threadsafe(limiter.limiter.storage.reset(), loop).result()

    def three_calls() -> list[str]:
        with Folio(base_url, api_key=key, sleep=sleep) as folio:
            return [folio.documents.upload(b"x\n", filename=f"{n}.txt").id for n in range(3)]

    ids = await asyncio.to_thread(three_calls)

    assert len(set(ids)) == 3  # the refused third upload went through on its retry, once
    assert len(waits) == 1 and 1 <= waits[0] <= 60  # Retry-After, not a guess
