"""Administration runs without a worker pool: nothing here processes documents."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import PASSWORD


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


async def session_headers(app: FastAPI, email: str, password: str = PASSWORD) -> dict[str, str]:
    """An interactive session (password sign-in), as account-security actions need."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://folio.test"
    ) as http:
        signed_in = await http.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['tokens']['access_token']}"}


@pytest.fixture
async def admin_session(app: FastAPI) -> dict[str, str]:
    credentials = app.state.initial_credentials
    return await session_headers(app, credentials.email, credentials.password)
