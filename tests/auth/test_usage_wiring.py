"""Quotas stop uploads; a key's usage figures come from the per-request log."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import client_for
from tests.helpers import assert_problem, upload

TWO_DOCUMENTS = {
    "workers": 0,
    "quota_plans": {"free": {"api_calls": None, "documents_processed": 2, "storage_bytes": None}},
}


@pytest.mark.parametrize("settings_overrides", [TWO_DOCUMENTS])
async def test_documents_quota_refuses_the_third_upload(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    statuses = [
        (await upload(client, content=f"doc {n}".encode(), filename=f"{n}.txt")) for n in range(3)
    ]

    assert [r.status_code for r in statuses[:2]] == [202, 202]
    assert_problem(statuses[2], 429, "QUOTA_EXCEEDED")
    listed = (await client.get("/api/v1/documents")).json()["items"]
    assert len(listed) == 2
    stored = [p for p in app.state.runtime.storage.root.rglob("original")]
    assert len(stored) == 2


@pytest.mark.parametrize("settings_overrides", [{"workers": 0, "audit_flush_interval_s": 0.1}])
async def test_key_usage(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient, app: FastAPI
) -> None:
    created = (await client.post("/api/v1/keys", json={"name": "measured"})).json()
    async with client_for(app) as anonymous:
        headers = {"Authorization": f"Bearer {created['key']}"}
        for _ in range(3):
            await anonymous.get("/api/v1/documents", headers=headers)
        await anonymous.get("/api/v1/documents/doc_01jd0000000000000000000000", headers=headers)
    usage: dict = {}
    for _ in range(100):  # the per-request log is flushed in the background
        usage = (await client.get(f"/api/v1/keys/{created['id']}/usage")).json()
        if usage["requests"] >= 4:
            break
        await asyncio.sleep(0.1)
    foreign = await second_client.get(f"/api/v1/keys/{created['id']}/usage")

    assert usage["requests"] == 4 and usage["errors"] == 1
    assert usage["top_endpoints"][0]["count"] == 3
    assert usage["daily_usage"][-1]["requests"] == 4
    assert len(usage["daily_usage"]) == 31
    assert_problem(foreign, 404, "NOT_FOUND")
