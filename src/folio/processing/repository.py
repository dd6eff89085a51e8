from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.documents.models import Document, DocumentStatus
from folio.processing.models import ProcessingSettings


class ProcessingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ProcessingRepository:
        return cls(session)

    def _documents(
        self, principal: Principal, batch_id: str | None, since: datetime | None
    ) -> Select[Document]:
        statement = select(Document).where(Document.team_id == principal.team_id)
        if batch_id is not None:
            statement = statement.where(Document.batch_id == batch_id)
        if since is not None:
            statement = statement.where(Document.created_at >= since)
        return statement

    async def status_counts(
        self, principal: Principal, batch_id: str | None, since: datetime | None
    ) -> dict[str, int]:
        scoped = self._documents(principal, batch_id, since).subquery()
        statement = select(scoped.c.status, func.count()).group_by(scoped.c.status)
        return {status: count for status, count in (await self.session.execute(statement)).all()}

    async def current(
        self, principal: Principal, batch_id: str | None, since: datetime | None
    ) -> Document | None:
        statement = (
            self._documents(principal, batch_id, since)
            .where(Document.status == DocumentStatus.processing)
            .order_by(Document.started_at.desc())
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def failed(self, principal: Principal, batch_id: str | None) -> Sequence[Document]:
        statement = self._documents(principal, batch_id, None).where(
            Document.status == DocumentStatus.failed
        )
        return (await self.session.scalars(statement.order_by(Document.id))).all()

    async def settings_for(self, principal: Principal) -> ProcessingSettings | None:
        """The acting team's defaults (the row's key is the team id)."""
        return await self.session.get(ProcessingSettings, principal.team_id)

    async def add(self, row: ProcessingSettings) -> None:
        self.session.add(row)
        await self.session.flush()
