from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.keys.models import ApiKey


class KeyRepository(TeamScopedRepository[ApiKey]):
    model = ApiKey

    async def list_page(
        self, principal: Principal, *, own_only: bool, limit: int, after: str | None
    ) -> Sequence[ApiKey]:
        statement = self.readable(principal)
        if own_only:
            statement = statement.where(ApiKey.user_id == principal.user_id)
        return await self.page_after(statement, limit=limit, after=after)

    async def by_secret_hash(self, secret_hash: str) -> ApiKey | None:
        """Unscoped: authentication itself, before any principal exists."""
        return await self.session.scalar(select(ApiKey).where(ApiKey.secret_hash == secret_hash))

    async def add(self, key: ApiKey) -> ApiKey:
        return await self.create(key, flush=True)

    async def count_unrevoked(self, team_id: str) -> int:
        """Keys of the team that may work now or again: not revoked, not rotated away."""
        statement = select(func.count()).where(
            ApiKey.team_id == team_id, ApiKey.revoked_at.is_(None), ApiKey.replaced_by.is_(None)
        )
        return int(await self.session.scalar(statement) or 0)

    async def of_user(self, user_id: str) -> Sequence[ApiKey]:
        """Every team's keys of ``user_id``: the account's own data export."""
        return await self.get_all(select(ApiKey).where(ApiKey.user_id == user_id))
