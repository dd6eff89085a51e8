"""A disabled account's open WebSockets close at once (real uvicorn, real sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.admin.conftest import session_headers
from tests.factories import Account, create_account
from tests.live import serving
from tests.realtime.test_reauthorisation import access_token, listening, until_closed, until_pong


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0, "analytics_realtime_interval_s": 0}


@pytest.fixture
async def url(app: FastAPI) -> AsyncIterator[str]:
    async with serving(app) as base:
        yield base.replace("http", "ws") + "/api/v1/ws"


async def test_disabling_closes_the_accounts_sockets_and_no_others(
    app: FastAPI,
    url: str,
    anonymous_client: httpx.AsyncClient,
    second_account: Account,
    admin_session: dict[str, str],
) -> None:
    other = await create_account(app, "cy@example.com")
    by_session = await listening(url, await access_token(app, second_account.email))
    by_key = await listening(url, second_account.api_key)
    stays = await listening(url, other.api_key)

    disabled = await anonymous_client.post(
        f"/api/v1/admin/users/{second_account.user_id}/disable", headers=admin_session
    )
    session_saw, session_code = await until_closed(by_session)
    key_saw, key_code = await until_closed(by_key)
    still_open = await until_pong(stays)
    await stays.close()

    assert disabled.status_code == 200, disabled.text
    assert [m["type"] for m in session_saw] == ["auth:error"] and session_code == 4401
    assert [m["type"] for m in key_saw] == ["auth:error"] and key_code == 4401
    assert still_open == []
    assert await session_headers(app, other.email)  # others sign in as before
