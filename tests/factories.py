"""Real accounts and keys, made through Folio's own services (no mocks)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from folio.auth import accounts
from folio.auth.resolver import principal_for_user
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import BuiltinRole
from folio.keys.schemas import KeyCreate
from folio.keys.service import key as key_service
from folio.teams.models import Membership
from folio.teams.repository import TeamRepository

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    user_id: str
    email: str
    team_id: str  # the team the account's key acts for
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def create_account(
    app: FastAPI,
    email: str,
    *,
    join_team: str | None = None,
    role: BuiltinRole = BuiltinRole.member,
) -> Account:
    """A user with a personal team; with ``join_team`` also a member there, keyed to it."""
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        user = await accounts.create_account(
            session, email=email, password=PASSWORD, name=email.split("@")[0], verified=True
        )
        if join_team is not None:
            await TeamRepository.from_session(session).add(
                Membership(
                    id=new_id(IdPrefix.member), team_id=join_team, user_id=user.id, role=role
                )
            )
        principal = await principal_for_user(session, user, join_team)
        created = await key_service.create(
            session, principal, runtime.settings, KeyCreate(name="test key")
        )
    return Account(user.id, user.email, principal.team_id, created.key)


def client_for(app: FastAPI, account: Account | None = None) -> httpx.AsyncClient:
    headers = account.headers if account is not None else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://folio.test",
        timeout=120,
        headers=headers,
    )
