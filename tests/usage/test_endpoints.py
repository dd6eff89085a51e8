from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Account
from tests.helpers import assert_problem, upload_ok

CURRENT = "/api/v1/usage/current"


class TestCurrentUsage:
    async def test_shape_and_counts(self, client: httpx.AsyncClient, admin: Account) -> None:
        for _ in range(3):
            await client.get("/api/v1/documents")
        document = await upload_ok(client, content=b"twelve bytes", filename="n.txt")
        body = (await client.get(CURRENT)).json()
        assert body["team_id"] == admin.team_id
        assert body["plan"] == "free" and body["period"] == "monthly"
        assert body["period_start"] < body["resets_at"]
        assert body["api_calls"]["used"] == 4  # this request is counted once it is answered
        assert body["api_calls"]["limit"] == 100_000
        assert body["api_calls"]["remaining"] == 100_000 - 4
        assert body["storage_bytes"]["used"] == 12
        assert body["storage_bytes"]["limit"] == 10 * 1024**3
        assert document["id"]

    async def test_calls_are_counted_after_a_flush_too(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        for _ in range(3):
            await client.get("/api/v1/documents")
        await app.state.activity.flush()
        await client.get("/api/v1/documents")
        assert (await client.get(CURRENT)).json()["api_calls"]["used"] == 4

    async def test_teams_see_only_their_own(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient, second_account: Account
    ) -> None:
        for _ in range(5):
            await client.get("/api/v1/documents")
        await upload_ok(client, content=b"admin's file", filename="a.txt")
        theirs = (await second_client.get(CURRENT)).json()
        assert theirs["team_id"] == second_account.team_id
        assert theirs["api_calls"]["used"] == 0
        assert theirs["storage_bytes"]["used"] == 0

    async def test_viewer_may_read_and_anonymous_may_not(
        self, viewer_client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        assert (await viewer_client.get(CURRENT)).status_code == 200
        assert_problem(await anonymous_client.get(CURRENT), 401, "UNAUTHORIZED")


class TestApiCallsQuota:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        quota = {"api_calls": 3, "documents_processed": None, "storage_bytes": None}
        return {"quota_plans": {"free": quota}}

    async def test_quota_exceeded(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        assert [(await client.get("/api/v1/documents")).status_code for _ in range(3)] == [200] * 3
        response = await client.get("/api/v1/documents")
        body = assert_problem(response, 429, "QUOTA_EXCEEDED")
        assert body["quota"] == "api_calls" and body["limit"] == 3 and body["used"] == 3
        assert int(response.headers["retry-after"]) >= 1
        assert "x-ratelimit-limit" in response.headers
        assert (await second_client.get("/api/v1/documents")).status_code == 200  # other team

    async def test_unlimited_quotas_show_null(self, second_client: httpx.AsyncClient) -> None:
        body = (await second_client.get(CURRENT)).json()
        assert body["storage_bytes"] == {"used": 0, "limit": None, "remaining": None}
