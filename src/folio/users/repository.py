from __future__ import annotations

from sqlalchemy import func, select

from folio.core.repository import Repository
from folio.users.models import User


class UserRepository(Repository[User]):
    model = User

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.lower()))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(User)) or 0)

    async def add(self, user: User) -> User:
        return await self.create(user, flush=True)

    async def delete(self, user: User) -> None:
        """The account row; its sessions, keys, memberships and tokens go by cascade."""
        await self.session.delete(user)
        await self.session.flush()
