from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, func, select

from folio.batches.models import Batch
from folio.core.prepared import PreparedSelect, ResultRow
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentStatus

# first start, last completion, mean processing time in ms
Timing = tuple[datetime | None, datetime | None, float | None]

# A batch's status is polled: its two reads are prepared once (core/prepared.py).
_BATCHES = Batch.__table__
_STATUS_BY_ID: PreparedSelect[BatchFields] = PreparedSelect(
    select(*_BATCHES.c).where(
        _BATCHES.c.team_id.in_(bindparam("team_ids", expanding=True)),
        _BATCHES.c.id == bindparam("batch_id"),
    )
)
_DOCUMENT_STATUSES = PreparedSelect(
    select(
        Document.id,
        Document.filename,
        Document.status,
        Document.progress,
        Document.error_code,
        Document.processing_time_ms,
        Document.started_at,
        Document.completed_at,
    )
    .where(Document.batch_id == bindparam("batch_id"), Document.team_id == bindparam("team_id"))
    .order_by(Document.id)
)


class BatchFields(Protocol):
    """What a batch's status shows of its row: a ``Batch`` or a row of its columns."""

    id: str
    team_id: str
    name: str | None
    created_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None


class BatchRepository(TeamScopedRepository[Batch]):
    model = Batch

    async def status_row(self, principal: Principal, batch_id: str) -> BatchFields | None:
        """The batch's columns, for reads that change nothing."""
        team_ids = list(principal.team_ids)
        return await _STATUS_BY_ID.first(self.session, team_ids=team_ids, batch_id=batch_id)

    async def get_for_update(self, batch_id: str) -> Batch | None:
        return await self.session.get(Batch, batch_id, populate_existing=True)

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[Batch]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)

    async def add(self, batch: Batch) -> Batch:
        return await self.create(batch, flush=True)

    def add_pending(self, batch: Batch) -> Batch:
        """Inserted by the next flush: with the batch's documents, after their files."""
        self.session.add(batch)
        return batch

    async def documents(self, batch: Batch) -> Sequence[Document]:
        statement = (
            select(Document)
            .where(Document.batch_id == batch.id, Document.team_id == batch.team_id)
            .order_by(Document.id)
        )
        return (await self.session.scalars(statement)).all()

    async def document_statuses(self, batch: BatchFields) -> Sequence[ResultRow]:
        """The columns a batch's status shows of each document, without loading whole rows."""
        return await _DOCUMENT_STATUSES.all(self.session, batch_id=batch.id, team_id=batch.team_id)

    async def status_counts(self, batch_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        statement = (
            select(Document.batch_id, Document.status, func.count())
            .where(Document.batch_id.in_(batch_ids))
            .group_by(Document.batch_id, Document.status)
        )
        counts: dict[str, dict[str, int]] = {batch_id: {} for batch_id in batch_ids}
        for batch_id, status, count in (await self.session.execute(statement)).all():
            if batch_id is not None:  # always (IN never matches NULL): narrows the type
                counts[batch_id][status] = count
        return counts

    async def unsettled_count(self, batch_id: str) -> int:
        statement = select(func.count()).where(
            Document.batch_id == batch_id,
            Document.status.in_([DocumentStatus.queued, DocumentStatus.processing]),
        )
        return int(await self.session.scalar(statement) or 0)

    async def timing_figures(self, batch_ids: Sequence[str]) -> dict[str, Timing]:
        """First start, last completion and mean processing time of each batch's documents,
        in one query for a page of batches."""
        statement = (
            select(
                Document.batch_id,
                func.min(Document.started_at),
                func.max(Document.completed_at),
                func.avg(Document.processing_time_ms),
            )
            .where(Document.batch_id.in_(batch_ids))
            .group_by(Document.batch_id)
        )
        figures: dict[str, Timing] = dict.fromkeys(batch_ids, (None, None, None))
        for batch_id, first_start, last_end, mean_ms in await self.session.execute(statement):
            figures[batch_id] = (first_start, last_end, mean_ms)
        return figures
