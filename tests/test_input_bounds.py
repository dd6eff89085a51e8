"""Numbers and moments a database cannot hold are a 422, never a 500 (issue 25 #17).

Integers beyond 64 bits overflowed SQLite binds; naive datetimes and the years 1 and 9999
crashed comparisons and day shifts. Bounds live in ``folio.core.schemas`` (``BoundedInt``,
``BoundedDate``, ``AwareDatetime``, ``FutureDatetime``).
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from folio.core.db import utcnow
from tests.helpers import assert_problem, upload_ok

HUGE = str(2**64)
BAD_MOMENTS = ["2024-01-01T00:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"]
BAD_DATES = ["0001-01-01", "9999-12-31"]
MOMENT_PARAMS = [
    ("/api/v1/documents", "created_after"),
    ("/api/v1/documents", "created_before"),
    ("/api/v1/audit/logs", "created_after"),
    ("/api/v1/audit/logs", "created_before"),
    ("/api/v1/audit/logs/export", "created_after"),
    ("/api/v1/audit/logs/export", "created_before"),
    ("/api/v1/security/events", "created_after"),
    ("/api/v1/security/events", "created_before"),
    ("/api/v1/processing/stats", "since"),
]
DATE_PARAMS = [
    ("/api/v1/exports/extractions?template=invoice", "start_date"),
    ("/api/v1/exports/extractions?template=invoice", "end_date"),
    ("/api/v1/credits/transactions", "start_date"),
    ("/api/v1/credits/transactions", "end_date"),
    ("/api/v1/credits/usage", "start_date"),
    ("/api/v1/credits/usage", "end_date"),
]
INT_PARAMS = [
    ("/api/v1/exports/extractions?template=invoice", "start_index"),
    ("/api/v1/exports/extractions?template=invoice", "end_index"),
    ("/api/v1/images", "min_width"),
    ("/api/v1/images", "min_height"),
]


def query(url: str, name: str, value: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{name}={httpx.QueryParams({'v': value})['v']}"


def assert_422(response: httpx.Response, name: str) -> None:
    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert body["errors"][0]["field"].endswith(name), body


class TestQueryParameters:
    @pytest.mark.parametrize(("url", "name"), MOMENT_PARAMS)
    @pytest.mark.parametrize("value", BAD_MOMENTS, ids=["naive", "year1", "year9999"])
    async def test_datetimes(
        self, client: httpx.AsyncClient, url: str, name: str, value: str
    ) -> None:
        assert_422(await client.get(url, params={name: value}), name)

    @pytest.mark.parametrize(("url", "name"), DATE_PARAMS)
    @pytest.mark.parametrize("value", BAD_DATES, ids=["year1", "year9999"])
    async def test_dates(self, client: httpx.AsyncClient, url: str, name: str, value: str) -> None:
        assert_422(await client.get(query(url, name, value)), name)

    @pytest.mark.parametrize(("url", "name"), INT_PARAMS)
    async def test_integers(self, client: httpx.AsyncClient, url: str, name: str) -> None:
        assert_422(await client.get(query(url, name, HUGE)), name)

    async def test_a_documents_versions_and_a_keys_usage(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"some words", filename="a.txt")
        key = (await client.post("/api/v1/keys", json={"name": "usage"})).json()

        for suffix in ("results", "searchable-pdf"):
            url = f"/api/v1/documents/{document['id']}/{suffix}"
            assert_422(await client.get(url, params={"version": HUGE}), "version")
        for name in ("start", "end"):
            url = f"/api/v1/keys/{key['id']}/usage"
            assert_422(await client.get(url, params={name: "9999-12-31"}), name)

    async def test_good_values_still_work(self, client: httpx.AsyncClient) -> None:
        moment = utcnow().isoformat()

        assert (await client.get("/api/v1/documents", params={"created_after": moment})).is_success
        assert (await client.get("/api/v1/images", params={"min_width": 2**63 - 1})).is_success


class TestBodies:
    @pytest.mark.parametrize("name", ["low_balance_threshold", "refill_threshold", "monthly_limit"])
    async def test_credit_settings(self, client: httpx.AsyncClient, name: str) -> None:
        response = await client.patch("/api/v1/credits/settings", json={name: int(HUGE)})

        assert_422(response, name)

    @pytest.mark.parametrize(
        "value",
        [*BAD_MOMENTS, (utcnow() - timedelta(minutes=1)).isoformat()],
        ids=["naive", "year1", "year9999", "past"],
    )
    async def test_key_expiry(self, client: httpx.AsyncClient, value: str) -> None:
        created = await client.post("/api/v1/keys", json={"name": "ci", "expires_at": value})
        key = (await client.post("/api/v1/keys", json={"name": "ok"})).json()
        updated = await client.patch(f"/api/v1/keys/{key['id']}", json={"expires_at": value})

        assert_422(created, "expires_at")
        assert_422(updated, "expires_at")

    async def test_a_future_key_expiry_is_kept(self, client: httpx.AsyncClient) -> None:
        later = utcnow() + timedelta(days=30)

        created = await client.post(
            "/api/v1/keys", json={"name": "ci", "expires_at": later.isoformat()}
        )

        assert created.status_code == 201, created.text
