"""A new account: the user and the personal team every user has (DESIGN: tenancy)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.teams.service import team as team_service
from folio.users.models import User
from folio.users.service import user as user_service


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str = "",
    is_admin: bool = False,
    verified: bool = False,
) -> User:
    """In the caller's unit of work; raises ``EmailTaken`` for a known address."""
    user = await user_service.create(
        session, email=email, password=password, name=name, is_admin=is_admin, verified=verified
    )
    team = await team_service.create_personal(session, user)
    user.personal_team_id = team.id
    return user
