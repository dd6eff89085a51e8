from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentStatus


class ProcessingRepository(TeamScopedRepository[Document]):
    model = Document

    def _documents(
        self, principal: Principal, batch_id: str | None, since: datetime | None
    ) -> Select[Document]:
        """The acting team's documents (not every team the principal may read)."""
        statement = self.readable(principal).where(Document.team_id == principal.team_id)
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
