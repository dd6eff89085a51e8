from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.keys.models import ApiKey


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> KeyRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[ApiKey]:
        return select(ApiKey).where(ApiKey.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, key_id: str) -> ApiKey | None:
        return await self.session.scalar(self.readable(principal).where(ApiKey.id == key_id))

    async def list_page(
        self, principal: Principal, *, own_only: bool, limit: int, after: str | None
    ) -> Sequence[ApiKey]:
        statement = self.readable(principal).order_by(ApiKey.id).limit(limit + 1)
        if own_only:
            statement = statement.where(ApiKey.user_id == principal.user_id)
        if after is not None:
            statement = statement.where(ApiKey.id > after)
        return (await self.session.scalars(statement)).all()

    async def by_secret_hash(self, secret_hash: str) -> ApiKey | None:
        """Unscoped: authentication itself, before any principal exists."""
        return await self.session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))

    async def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        await self.session.flush()
        return key
