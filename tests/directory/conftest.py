"""A real slapd for the whole session, and team owners signed in with a password (directory
settings and SCIM tokens are account security: API keys cannot change them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tests.directory.slapd import slapd
from tests.factories import PASSWORD, client_for, create_account

__all__ = ["slapd"]

SETTINGS = {
    "ldap_allowed_hosts": ["127.0.0.1", "localhost"],
    "workers": 0,
    "directory_sync_check_s": 0,
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(SETTINGS)


@dataclass
class Owner:
    team_id: str
    client: httpx.AsyncClient  # signed in with a password
    key_client: httpx.AsyncClient  # the same owner's API key


async def signed_in(app: FastAPI, email: str) -> AsyncIterator[Owner]:
    account = await create_account(app, email)
    async with client_for(app) as http, client_for(app, account) as keyed:
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        http.headers["Authorization"] = f"Bearer {login.json()['tokens']['access_token']}"
        yield Owner(account.team_id, http, keyed)


@pytest.fixture
async def owner(app: FastAPI) -> AsyncIterator[Owner]:
    async for found in signed_in(app, "olga@example.com"):
        yield found


@pytest.fixture
async def other_owner(app: FastAPI) -> AsyncIterator[Owner]:
    async for found in signed_in(app, "otto@example.com"):
        yield found
