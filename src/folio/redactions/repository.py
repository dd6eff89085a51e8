from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.redactions.models import Redaction


class RedactionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> RedactionRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[Redaction]:
        return select(Redaction).where(Redaction.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, redaction_id: str) -> Redaction | None:
        return await self.session.scalar(
            self.readable(principal).where(Redaction.id == redaction_id)
        )

    async def list_for_document(
        self, principal: Principal, document_id: str, *, limit: int, before: str | None
    ) -> Sequence[Redaction]:
        statement = (
            self.readable(principal)
            .where(Redaction.document_id == document_id)
            .order_by(Redaction.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            statement = statement.where(Redaction.id < before)
        return (await self.session.scalars(statement)).all()

    async def add(self, redaction: Redaction) -> Redaction:
        self.session.add(redaction)
        await self.session.flush()
        return redaction
