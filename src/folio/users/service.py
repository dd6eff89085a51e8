"""Users: the account row and its profile."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import Conflict, NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.security import hash_password
from folio.users.models import User
from folio.users.repository import UserRepository
from folio.users.schemas import UserRead, UserUpdate


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"
    title = "An account with this e-mail exists"


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        email_verified=user.email_verified_at is not None,
        mfa_enabled=user.mfa_enabled_at is not None,
        is_admin=user.is_admin,
        personal_team_id=user.personal_team_id,
        created_at=user.created_at,
    )


class UserService:
    async def create(
        self,
        session: AsyncSession,
        *,
        email: str,
        password: str,
        name: str = "",
        is_admin: bool = False,
        verified: bool = False,
    ) -> User:
        """The user row only: :func:`folio.auth.accounts.create_account` gives every new
        account its personal team."""
        repository = UserRepository.from_session(session)
        if await repository.get_by_email(email) is not None:
            raise EmailTaken("An account with this e-mail address already exists.")
        return await repository.add(
            User(
                id=new_id(IdPrefix.user),
                email=email.lower(),
                name=name,
                password_hash=hash_password(password),
                is_admin=is_admin,
                email_verified_at=utcnow() if verified else None,
                password_changed_at=utcnow(),
            )
        )

    async def get(self, session: AsyncSession, user_id: str) -> User:
        user = await UserRepository.from_session(session).get(user_id)
        if user is None or not user.is_active:
            raise NotFound("No such user.")
        return user

    async def get_by_email(self, session: AsyncSession, email: str) -> User | None:
        return await UserRepository.from_session(session).get_by_email(email)

    async def update(self, session: AsyncSession, user: User, update: UserUpdate) -> User:
        for field, value in update.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(user, field, value)
        return user

    async def count(self, session: AsyncSession) -> int:
        return await UserRepository.from_session(session).count()


user = UserService()
