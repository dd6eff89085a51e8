"""CORS (off by default, configured origins only) and Strict-Transport-Security over HTTPS."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from folio.config import Settings
from tests.core.test_middleware import API_POLICY, assert_hardened
from tests.factories import Account
from tests.helpers import assert_problem

ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def https_client(app: FastAPI, account: Account | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="https://folio.test",
        headers=account.headers if account else {},
    )


class TestCorsOff:
    async def test_no_cross_origin_headers_by_default(self, client: httpx.AsyncClient) -> None:
        preflight = await client.options("/api/v1/documents", headers=PREFLIGHT)
        response = await client.get("/api/v1/documents", headers={"Origin": ORIGIN})

        assert response.status_code == 200
        for answer in (preflight, response):
            assert "access-control-allow-origin" not in answer.headers
            assert_hardened(answer)


class TestCorsOn:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"cors_allow_origins": [ORIGIN]}

    async def test_preflight_is_answered_without_credentials(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        response = await anonymous_client.options("/api/v1/documents", headers=PREFLIGHT)

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "x-api-key" in allowed
        assert response.headers["access-control-max-age"] == "600"
        assert "access-control-allow-credentials" not in response.headers
        assert_hardened(response)

    async def test_an_unlisted_origin_is_not_allowed(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        evil = {**PREFLIGHT, "Origin": "https://evil.example"}
        preflight = await anonymous_client.options("/api/v1/documents", headers=evil)
        response = await anonymous_client.get("/health", headers={"Origin": evil["Origin"]})

        assert preflight.status_code == 400
        for answer in (preflight, response):
            assert "access-control-allow-origin" not in answer.headers

    async def test_answers_and_problems_carry_the_origin_and_exposed_headers(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        ok = await client.get("/api/v1/documents", headers={"Origin": ORIGIN})
        refused = await anonymous_client.get("/api/v1/documents", headers={"Origin": ORIGIN})

        assert ok.status_code == 200
        assert_problem(refused, 401, "UNAUTHORIZED")
        for answer in (ok, refused):
            assert answer.headers["access-control-allow-origin"] == ORIGIN
            assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


class TestCorsSettings:
    @pytest.mark.parametrize(
        "overrides",
        [
            {"cors_allow_origins": ["https://app.example.com/path"]},
            {"cors_allow_origins": ["app.example.com"]},
            {"cors_allow_origins": ["*"], "cors_allow_credentials": True},
        ],
    )
    def test_bad_configurations_stop_the_start(self, overrides: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **overrides)  # type: ignore[call-arg]

    def test_good_origins(self) -> None:
        origins = ["https://a.example", "http://localhost:5173", "http://[::1]:8080", "*"]
        assert Settings(_env_file=None, cors_allow_origins=origins).cors_allow_origins == origins  # type: ignore[call-arg]


class TestHsts:
    async def test_https_answers_carry_hsts_and_plain_ones_do_not(
        self, app: FastAPI, admin: Account, client: httpx.AsyncClient
    ) -> None:
        async with https_client(app, admin) as secure:
            answers = [
                await secure.get("/api/v1/documents"),
                await secure.get("/api/v1/documents/doc_missing"),
                await secure.get("/no/such/page"),
            ]
        plain = await client.get("/api/v1/documents")

        for answer in answers:
            assert answer.headers["strict-transport-security"] == "max-age=31536000"
            assert answer.headers["content-security-policy"] == API_POLICY
            assert_hardened(answer)
        assert "strict-transport-security" not in plain.headers

    async def test_the_web_app_keeps_its_own_policy(self, app: FastAPI) -> None:
        async with https_client(app) as secure:
            page = await secure.get("/login")

        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "sandbox" not in policy
        assert page.headers["strict-transport-security"] == "max-age=31536000"
        assert_hardened(page)


class TestHstsSettings:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"hsts_max_age_s": 600, "hsts_include_subdomains": True}

    async def test_age_and_subdomains_come_from_the_settings(self, app: FastAPI) -> None:
        async with https_client(app) as secure:
            response = await secure.get("/health")

        assert response.headers["strict-transport-security"] == "max-age=600; includeSubDomains"
