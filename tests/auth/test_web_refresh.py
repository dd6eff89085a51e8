"""The browser app's refresh cookie: a spent cookie presented again soon after (a reload or a
second tab that never saw the rotated one) keeps the session; later, it ends it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from folio.auth.models import AuthSession, RefreshToken
from folio.core.db import utcnow
from folio.core.security import digest
from tests.auth.test_accounts import EMAIL, PASSWORD, bearer, register
from tests.helpers import assert_problem

CSRF = {"X-Folio-CSRF": "1"}


async def web_refresh(client: httpx.AsyncClient, cookie: str) -> httpx.Response:
    client.cookies.clear()  # only the cookie named here goes
    return await client.post(
        "/web/session/refresh", headers={**CSRF, "Cookie": f"folio_refresh={cookie}"}
    )


def cookie_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.cookies["folio_refresh"]


async def signed_in(client: httpx.AsyncClient) -> str:
    await register(client)
    return cookie_of(
        await client.post("/web/session", json={"email": EMAIL, "password": PASSWORD}, headers=CSRF)
    )


async def test_a_spent_cookie_presented_again_at_once_keeps_the_session(
    anonymous_client: httpx.AsyncClient,
) -> None:
    first = await signed_in(anonymous_client)
    rotated = await web_refresh(anonymous_client, first)
    lost_answer_replayed = await web_refresh(anonymous_client, first)

    for answer in (rotated, lost_answer_replayed):
        me = await anonymous_client.get(
            "/api/v1/auth/me", headers=bearer(answer.json()["access_token"])
        )
        assert me.status_code == 200
    assert cookie_of(lost_answer_replayed) != cookie_of(rotated) != first
    assert (await web_refresh(anonymous_client, cookie_of(rotated))).status_code == 200


async def test_a_spent_cookie_presented_after_the_grace_ends_the_session(
    app: FastAPI, anonymous_client: httpx.AsyncClient
) -> None:
    first = await signed_in(anonymous_client)
    rotated = cookie_of(await web_refresh(anonymous_client, first))
    grace = app.state.runtime.settings.web_refresh_reuse_grace_s
    async with app.state.runtime.db.session() as session:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == digest(first))
            .values(used_at=utcnow() - timedelta(seconds=grace + 1))
        )

    assert_problem(await web_refresh(anonymous_client, first), 401, "TOKEN_REUSED")
    assert_problem(await web_refresh(anonymous_client, rotated), 401, "INVALID_TOKEN")
    async with app.state.runtime.db.session(write=False) as session:
        reasons = (await session.scalars(select(AuthSession.revoked_reason))).all()
    # the web sign-in's session ended; the one registration started did not
    assert sorted(reasons, key=str) == [None, "refresh_token_reuse"]
