"""First start of an empty installation: an admin account and a one-time API key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.accounts import create_account
from folio.auth.resolver import principal_for_user
from folio.config import Settings
from folio.core.db import one_writer_at_a_time
from folio.core.security import new_secret
from folio.keys.schemas import KeyCreate
from folio.keys.service import key as key_service
from folio.users.service import user as user_service


@dataclass(frozen=True)
class InitialCredentials:
    email: str
    password: str
    api_key: str
    team_id: str


async def bootstrap_admin(
    session: AsyncSession, email: str, settings: Settings
) -> InitialCredentials | None:
    """Creates the admin only when there are no users at all; None otherwise. Processes that
    start together on one empty database take turns, so exactly one creates the admin."""
    await one_writer_at_a_time(session, "folio.first-admin")
    if await user_service.count(session) > 0:
        return None
    password = new_secret(12)
    admin = await create_account(
        session, email=email, password=password, name="Admin", is_admin=True, verified=True
    )
    principal = await principal_for_user(session, admin)
    # where keys need an allow-list, the first key works from this machine only
    loopback = LOOPBACK if settings.api_keys_require_ip_allowlist else None
    created = await key_service.create(
        session,
        principal,
        settings,
        KeyCreate.model_validate({"name": "initial admin key", "allowed_ips": loopback}),
    )
    return InitialCredentials(
        email=admin.email, password=password, api_key=created.key, team_id=principal.team_id
    )


LOOPBACK = ["127.0.0.0/8", "::1/128"]


def announce(credentials: InitialCredentials) -> str:
    return (
        "\n================ Folio: first start ================\n"
        f" admin login:  {credentials.email} / {credentials.password}\n"
        f" admin API key: {credentials.api_key}\n"
        " Both are shown once. Use the key as 'Authorization: Bearer <key>'.\n"
        "====================================================\n"
    )
