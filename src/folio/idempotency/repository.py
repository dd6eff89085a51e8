from __future__ import annotations

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.idempotency.models import IdempotencyRecord


class IdempotencyRepository(TeamScopedRepository[IdempotencyRecord]):
    model = IdempotencyRecord

    async def find(self, principal: Principal, scope: str, key: str) -> IdempotencyRecord | None:
        """The acting team's record: keys are per team."""
        return await self.get_one_or_none(
            self.readable(principal).where(
                IdempotencyRecord.team_id == principal.team_id,
                IdempotencyRecord.scope == scope,
                IdempotencyRecord.key == key,
            )
        )

    async def add(self, record: IdempotencyRecord) -> None:
        await self.create(record, flush=True)
