"""A resolved credential is reused for a few seconds, and a change to it applies at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import client_for
from tests.helpers import assert_problem

CACHE_ON = pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
CACHE_OFF = pytest.mark.parametrize("settings_overrides", [{"workers": 0, "auth_cache_ttl_s": 0}])


@contextmanager
def key_lookups(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements that read the api_keys table while the block runs."""
    db = app.state.runtime.db
    engines = {db.engine.sync_engine, db.read_engine.sync_engine}
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM api_keys" in statement:
            seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def new_key(client: httpx.AsyncClient) -> dict:
    response = await client.post("/api/v1/keys", json={"name": "cache"})
    assert response.status_code == 201, response.text
    return response.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class TestPrincipalCache:
    @CACHE_ON
    async def test_a_key_is_looked_up_once_then_reused(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await new_key(client)
        async with client_for(app) as anonymous:
            # the first use also records the key's last_used_at: a change, so not yet kept
            await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
            first = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
            with key_lookups(app) as lookups:
                second = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))

        assert first.status_code == 200
        assert second.status_code == 200
        assert lookups == []

    @CACHE_OFF
    async def test_without_the_cache_every_request_looks_the_key_up(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await new_key(client)
        async with client_for(app) as anonymous:
            await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
            with key_lookups(app) as lookups:
                second = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))

        assert second.status_code == 200
        assert len(lookups) >= 1

    @CACHE_ON
    async def test_revoking_a_key_in_use_refuses_it_at_once(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await new_key(client)
        async with client_for(app) as anonymous:
            before = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
            revoked = await client.delete(f"/api/v1/keys/{created['id']}")
            after = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))

        assert before.status_code == 200
        assert revoked.status_code == 204
        assert_problem(after, 401, "INVALID_TOKEN")

    @CACHE_ON
    async def test_deactivating_a_key_in_use_refuses_it_at_once(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await new_key(client)
        async with client_for(app) as anonymous:
            before = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
            paused = await client.patch(f"/api/v1/keys/{created['id']}", json={"is_active": False})
            after = await anonymous.get("/api/v1/documents", headers=bearer(created["key"]))

        assert before.status_code == 200
        assert paused.status_code == 200
        assert_problem(after, 401, "INVALID_TOKEN")

    @CACHE_ON
    async def test_concurrent_requests_with_one_key_share_one_lookup(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        created = await new_key(client)
        async with client_for(app) as anonymous:
            with key_lookups(app) as lookups:
                responses = await asyncio.gather(
                    *(
                        anonymous.get("/api/v1/documents", headers=bearer(created["key"]))
                        for _ in range(10)
                    )
                )

        assert [r.status_code for r in responses] == [200] * 10
        assert len(lookups) <= 2  # the key, then its expiry; was two for each request

    @CACHE_ON
    async def test_concurrent_requests_with_a_bad_key_all_get_the_refusal(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        async with client_for(app) as anonymous:
            with key_lookups(app) as lookups:
                responses = await asyncio.gather(
                    *(
                        anonymous.get("/api/v1/documents", headers=bearer("fk_" + "x" * 40))
                        for _ in range(5)
                    )
                )

        for response in responses:
            assert_problem(response, 401, "INVALID_TOKEN")
        assert len(lookups) == 1
