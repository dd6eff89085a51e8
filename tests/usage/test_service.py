"""The service functions other domains call: the upload check and the key usage figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from folio.auth.resolver import credential_from_headers, resolve
from folio.core.errors import ValidationFailed
from folio.core.principal import Principal
from folio.usage.models import RequestUsage
from folio.usage.quotas import QuotaExceeded
from folio.usage.service import usage as usage_service
from tests.factories import Account
from tests.helpers import upload_ok


def team_principal(account: Account, plan: str = "free") -> Principal:
    return Principal(team_id=account.team_id, team_ids=frozenset({account.team_id}), plan=plan)


class TestCheckUpload:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        quota = {"api_calls": None, "documents_processed": 2, "storage_bytes": 100}
        return {"quota_plans": {"free": quota}}

    async def test_storage_quota(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        await upload_ok(client, content=b"x" * 60, filename="a.txt")
        runtime = app.state.runtime
        with pytest.raises(QuotaExceeded) as raised:
            async with runtime.db.session() as session:
                await usage_service.check_upload(
                    session, team_principal(admin), runtime.settings, size_bytes=41
                )
        assert raised.value.status == 429 and raised.value.code == "QUOTA_EXCEEDED"
        assert raised.value.extra["quota"] == "storage_bytes"
        assert "Retry-After" not in raised.value.headers  # storage does not free itself
        async with runtime.db.session() as session:
            await usage_service.check_upload(
                session, team_principal(admin), runtime.settings, size_bytes=40
            )

    async def test_documents_quota_counts_once_per_committed_upload(
        self, app: FastAPI, admin: Account
    ) -> None:
        runtime = app.state.runtime
        principal = team_principal(admin)
        with pytest.raises(RuntimeError):  # the upload failed later: its count is rolled back
            async with runtime.db.session() as session:
                await usage_service.check_upload(session, principal, runtime.settings, size_bytes=1)
                raise RuntimeError("upload failed")
        for _ in range(2):
            async with runtime.db.session() as session:
                await usage_service.check_upload(session, principal, runtime.settings, size_bytes=1)
        with pytest.raises(QuotaExceeded) as raised:
            async with runtime.db.session() as session:
                await usage_service.check_upload(session, principal, runtime.settings, size_bytes=1)
        assert raised.value.extra["quota"] == "documents_processed"
        assert int(raised.value.headers["Retry-After"]) >= 1
        async with runtime.db.session(write=False) as session:
            current = await usage_service.current(session, principal, runtime.settings)
        assert current.documents_processed.used == 2
        assert current.documents_processed.remaining == 0


class TestUsageForKey:
    async def test_figures_of_one_key(
        self, app: FastAPI, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        for _ in range(3):
            assert (await client.get("/api/v1/documents")).status_code == 200
        assert (await client.get("/api/v1/documents/doc_00000000000000000000000000")).status_code
        await client.get("/api/v1/documents/doc_11111111111111111111111111")
        await second_client.get("/api/v1/documents")  # another team's key: not counted
        keys = (await client.get("/api/v1/keys")).json()["items"]
        await app.state.activity.flush()
        runtime = app.state.runtime
        admin_principal = await principal_of(client, app)
        today = datetime.now(UTC).date()
        async with runtime.db.session(write=False) as session:
            usage = await usage_service.usage_for_key(
                session,
                admin_principal,
                admin_principal.key_id or "",
                today - timedelta(days=2),
                today,
            )
        assert usage.requests == 6  # 3 lists, 2 missing documents, the key list
        assert usage.errors == 2
        assert usage.avg_response_time_ms is not None and usage.avg_response_time_ms > 0
        assert usage.top_endpoints[0].endpoint == "GET /api/v1/documents"
        assert usage.top_endpoints[0].count == 3
        assert usage.top_endpoints[1].route == "/api/v1/documents/{document_id}"
        assert usage.top_endpoints[1].count == 2
        assert [d.date for d in usage.daily_usage] == [
            today - timedelta(days=2),
            today - timedelta(days=1),
            today,
        ]
        assert [d.requests for d in usage.daily_usage] == [0, 0, 6]
        assert usage.daily_usage[-1].errors == 2
        assert keys

    async def test_other_team_sees_zeros_and_ranges_are_checked(
        self, app: FastAPI, client: httpx.AsyncClient, second_account: Account
    ) -> None:
        await client.get("/api/v1/documents")
        await app.state.activity.flush()
        admin_principal = await principal_of(client, app)
        runtime = app.state.runtime
        today = datetime.now(UTC).date()
        async with runtime.db.session(write=False) as session:
            usage = await usage_service.usage_for_key(
                session, team_principal(second_account), admin_principal.key_id or "", today, today
            )
            assert usage.requests == 0 and usage.avg_response_time_ms is None
            with pytest.raises(ValidationFailed):
                await usage_service.usage_for_key(
                    session, admin_principal, "key_x", today, today - timedelta(days=1)
                )

    async def test_the_log_stays_compact(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        for _ in range(30):
            await client.get("/api/v1/documents")
        await app.state.activity.flush()
        for _ in range(30):
            await client.get("/api/v1/documents")
        await app.state.activity.flush()
        async with app.state.runtime.db.session(write=False) as session:
            rows = (await session.scalars(select(RequestUsage))).all()
        assert len(rows) == 1


async def principal_of(client: httpx.AsyncClient, app: FastAPI) -> Principal:
    """The principal of ``client``'s key, resolved the way the middleware does."""
    headers = {k.lower().encode(): v.encode() for k, v in client.headers.items()}
    credential = credential_from_headers(headers)
    assert credential is not None
    return await resolve(app.state.runtime, credential, None)
