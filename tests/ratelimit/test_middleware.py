from __future__ import annotations

import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from folio.usage.models import RequestUsage
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem

TINY = {"minute": 3, "hour": 100, "day": 1000}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"rate_limit_plans": {"free": TINY, "pro": TINY, "enterprise": TINY}}


async def spend(client: httpx.AsyncClient, times: int) -> list[httpx.Response]:
    return [await client.get("/api/v1/documents") for _ in range(times)]


class TestHeaders:
    async def test_every_api_response_carries_the_limits(self, client: httpx.AsyncClient) -> None:
        before = time.time()
        response = await client.get("/api/v1/documents")
        after = time.time()
        assert response.status_code == 200
        headers = response.headers
        assert headers["x-ratelimit-limit"] == "3"
        assert headers["x-ratelimit-remaining"] == "2"
        # the window opens when the limiter counts the request, somewhere between the two clocks
        assert before + 60 <= int(headers["x-ratelimit-reset"]) <= after + 61
        assert headers["ratelimit-policy"] == (
            '"minute";q=3;w=60, "hour";q=100;w=3600, "day";q=1000;w=86400'
        )
        assert headers["ratelimit"].startswith('"minute";r=2;t=')

    async def test_errors_carry_them_too(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/documents/doc_00000000000000000000000000")
        assert response.status_code == 404
        assert response.headers["x-ratelimit-remaining"] == "2"

    @pytest.mark.parametrize("path", ["/health", "/openapi.json", "/docs"])
    async def test_outside_the_api_nothing_is_limited(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        for _ in range(5):
            response = await client.get(path)
            assert response.status_code in (200, 503)
            assert "x-ratelimit-limit" not in response.headers


class TestTooManyRequests:
    async def test_429_with_retry_after_and_a_problem_body(self, client: httpx.AsyncClient) -> None:
        responses = await spend(client, 4)
        assert [r.status_code for r in responses[:3]] == [200, 200, 200]
        body = assert_problem(responses[3], 429, "RATE_LIMITED")
        assert body["limit"] == 3 and body["window"] == "minute"
        retry_after = int(responses[3].headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert body["retry_after"] == retry_after
        assert responses[3].headers["x-ratelimit-remaining"] == "0"

    async def test_writes_are_refused_before_they_run(self, client: httpx.AsyncClient) -> None:
        await spend(client, 3)
        response = await client.post("/api/v1/keys", json={"name": "over the limit"})
        assert_problem(response, 429, "RATE_LIMITED")
        listed = await client.get("/api/v1/keys")  # still limited: nothing was created meanwhile
        assert listed.status_code == 429

    async def test_other_keys_and_users_have_their_own_counters(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        await spend(client, 4)
        assert (await second_client.get("/api/v1/documents")).status_code == 200

    async def test_a_second_key_of_the_same_user_has_its_own_limit(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        created = await client.post(
            "/api/v1/keys", json={"name": "slow key", "rate_limit_per_minute": 2}
        )
        assert created.status_code == 201, created.text
        await spend(client, 3)
        async with client_for(
            app, Account("", "", "", created.json()["key"])
        ) as slow:  # its own counter, and its own per-minute limit below the plan's
            responses = await spend(slow, 3)
        assert responses[0].headers["x-ratelimit-limit"] == "2"
        assert [r.status_code for r in responses] == [200, 200, 429]

    async def test_anonymous_calls_are_limited_per_ip(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        responses = [await anonymous_client.get("/api/v1/documents") for _ in range(4)]
        assert [r.status_code for r in responses] == [401, 401, 401, 429]
        account = await create_account(app, "carla@example.com")
        async with client_for(app, account) as signed_in:  # same IP, but has a key: own bucket
            assert (await signed_in.get("/api/v1/documents")).status_code == 200


class TestDisabled:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"rate_limit_enabled": False, "rate_limit_plans": {"free": TINY}}

    async def test_no_limits_and_no_headers(self, client: httpx.AsyncClient) -> None:
        responses = await spend(client, 5)
        assert {r.status_code for r in responses} == {200}
        assert "x-ratelimit-limit" not in responses[-1].headers


class TestRefusedRequestsInTheUsageLog:
    async def test_counted_under_their_route_as_errors(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        for _ in range(3):
            await client.get("/api/v1/documents/doc_00000000000000000000000000")
        refused = await client.get("/api/v1/documents/doc_00000000000000000000000000")
        assert refused.status_code == 429
        await app.state.activity.flush()
        async with app.state.runtime.db.session(write=False) as session:
            rows = (await session.scalars(select(RequestUsage))).all()
        assert [(r.route, r.requests, r.errors) for r in rows] == [
            ("/api/v1/documents/{document_id}", 4, 4)
        ]
