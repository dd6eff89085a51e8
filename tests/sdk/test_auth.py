"""Signing in with e-mail and password: the client logs in, refreshes and logs in again."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from folio_client import AsyncFolio, AuthenticationError, Folio

from tests.factories import PASSWORD, Account


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"access_token_ttl_s": 2, "auth_cache_ttl_s": 0}


async def test_password_login_refreshes_an_expired_token_and_a_wrong_one_raises(
    base_url: str, second_account: Account
) -> None:
    async with AsyncFolio(base_url, email=second_account.email, password=PASSWORD) as folio:
        me = await folio.auth.me()
        first = folio.credentials.tokens
        await asyncio.sleep(2.2)  # the access token has expired
        document = await folio.documents.upload(b"mine\n", filename="m.txt")
        second = folio.credentials.tokens
    async with AsyncFolio(base_url, email=second_account.email, password="wrong") as stranger:
        with pytest.raises(AuthenticationError) as refused:
            await stranger.auth.me()

    assert me.email == second_account.email
    assert first is not None and second is not None
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token  # renewed through /auth/refresh
    assert document.team_id == second_account.team_id
    assert refused.value.status == 401 and refused.value.request_id


async def test_an_ended_session_logs_in_again(base_url: str, second_account: Account) -> None:
    def scenario() -> tuple[str, str]:
        with Folio(base_url, email=second_account.email, password=PASSWORD) as folio:
            folio.auth.me()
            tokens = folio.credentials.tokens
            assert tokens is not None
            # the session is ended elsewhere: both of the client's tokens are now refused
            ended = httpx.post(
                f"{base_url}/api/v1/auth/logout",
                headers={"Authorization": f"Bearer {tokens.access_token}"},
            )
            assert ended.status_code == 204
            me = folio.auth.me()  # 401, refresh refused, log in again, retried
            assert folio.credentials.tokens is not None
            return me.id, folio.credentials.tokens.access_token

    user_id, access = await asyncio.to_thread(scenario)
    assert user_id == second_account.user_id and access
