from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Account


@pytest.fixture
async def admin_headers(
    app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
) -> dict[str, str]:
    """System administration needs the admin signed in: API keys never carry system:admin."""
    response = await anonymous_client.post(
        "/api/v1/auth/login",
        json={"email": admin.email, "password": app.state.initial_credentials.password},
    )
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}
