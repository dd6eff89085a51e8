"""FOLIO_REGISTRATION=invite: sign-up only with a pending invitation to that very address
(the invitation is a real e-mail to the SMTP server of tests/smtp.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.factories import Account
from tests.helpers import assert_problem
from tests.smtp import Inbox

NEWCOMER = "nia@example.com"
PASSWORD = "long enough password"


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {
        "workers": 0,
        "registration": "invite",
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox.port,
    }


async def mailed_token(inbox: Inbox, address: str) -> str:
    for _ in range(100):
        try:
            return inbox.token_for(address, "invited")
        except AssertionError:
            await asyncio.sleep(0.05)
    return inbox.token_for(address, "invited")


async def test_sign_up_needs_a_pending_invitation_to_the_same_address(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, admin: Account, inbox: Inbox
) -> None:
    invited = await client.post(
        f"/api/v1/teams/{admin.team_id}/invitations", json={"email": NEWCOMER}
    )
    token = await mailed_token(inbox, NEWCOMER)
    register = "/api/v1/auth/register"

    without = await anonymous_client.post(register, json={"email": NEWCOMER, "password": PASSWORD})
    other_address = await anonymous_client.post(
        register,
        json={"email": "eve@example.com", "password": PASSWORD, "invitation_token": token},
    )
    forged = await anonymous_client.post(
        register, json={"email": NEWCOMER, "password": PASSWORD, "invitation_token": "x" * 40}
    )
    accepted = await anonymous_client.post(
        register, json={"email": NEWCOMER, "password": PASSWORD, "invitation_token": token}
    )

    assert invited.status_code == 201, invited.text
    for refused in (without, other_address, forged):
        body = assert_problem(refused, 403, "REGISTRATION_CLOSED")
        assert body["registration"] == "invite"
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["user"]["email"] == NEWCOMER
