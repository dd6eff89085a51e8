from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from folio.audit.models import AuditEntry
from folio.audit.recorder import ActivityRecorder
from folio.audit.service import new_audit_id
from folio.usage.models import RequestUsage
from tests.factories import Account


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"audit_flush_interval_s": 0.05, "audit_retention_days": 30, "usage_retention_days": 30}


async def test_old_entries_and_usage_rows_are_pruned(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    recorder: ActivityRecorder = app.state.activity
    long_ago = datetime.now(UTC) - timedelta(days=31)
    recorder.add(
        {
            "id": new_audit_id(),
            "created_at": long_ago,
            "team_id": admin.team_id,
            "actor_type": "api_key",
            "action": "keys.create",
            "method": "POST",
            "route": "/api/v1/keys",
            "status_code": 201,
            "outcome": "success",
            "changed_fields": [],
        }
    )
    await recorder.flush()
    async with app.state.runtime.db.session() as session:
        session.add(
            RequestUsage(
                day=long_ago.date(),
                team_id=admin.team_id,
                key_id="key_old",
                user_id="",
                method="GET",
                route="/api/v1/documents",
                requests=1,
                errors=0,
                latency_ms_total=1.0,
            )
        )
    await client.post("/api/v1/keys", json={"name": "recent"})
    recorder._last_prune = 0.0  # the flusher pruned at its first run; let it run once more
    for _ in range(100):
        await asyncio.sleep(0.05)
        async with app.state.runtime.db.session(write=False) as session:
            old_usage = await session.scalar(
                select(func.count()).where(RequestUsage.key_id == "key_old")
            )
            entries = (await session.scalars(select(AuditEntry))).all()
        if not old_usage and len(entries) == 1:
            break
    assert old_usage == 0
    assert [entry.action for entry in entries] == ["keys.create"]
    assert entries[0].created_at > long_ago + timedelta(days=1)
