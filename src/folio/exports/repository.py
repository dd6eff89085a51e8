"""The rows an export reads: each matching document's newest extraction of one template."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from folio.batches.models import Batch
from folio.batches.repository import BatchRepository
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentStatus
from folio.exports.schemas import ExportFilters
from folio.templates.models import Extraction
from folio.templates.repository import ExtractionRepository


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class ExportRepository(TeamScopedRepository[Document]):
    """Reads documents, with the extractions and batch names that go with them."""

    model = Document

    def _extractions(self, principal: Principal) -> Select[Extraction]:
        return ExtractionRepository.from_session(self.session).readable(principal)

    def _documents(self, principal: Principal, filters: ExportFilters) -> Select[Any]:
        statement = self.readable(principal).with_only_columns(Document.id)
        if filters.batch_ids:
            statement = statement.where(Document.batch_id.in_(filters.batch_ids))
        if filters.start_date is not None:
            statement = statement.where(Document.created_at >= _day_start(filters.start_date))
        if filters.end_date is not None:
            end = _day_start(filters.end_date) + timedelta(days=1)
            statement = statement.where(Document.created_at < end)
        return statement

    async def extraction_ids(
        self, principal: Principal, filters: ExportFilters, template_name: str
    ) -> Sequence[str]:
        """Newest extraction per matching document, in document order, index range applied."""
        newest = (
            self._extractions(principal)
            .with_only_columns(
                Extraction.document_id, func.max(Extraction.id).label("extraction_id")
            )
            .where(Extraction.template_name == template_name)
            .group_by(Extraction.document_id)
            .subquery()
        )
        documents = self._documents(principal, filters).subquery()
        statement = (
            select(newest.c.extraction_id)
            .join(documents, documents.c.id == newest.c.document_id)
            .order_by(newest.c.document_id)
            .offset(filters.start_index)
        )
        if filters.end_index is not None:
            statement = statement.limit(filters.end_index - filters.start_index)
        return (await self.session.scalars(statement)).all()

    async def values(
        self, principal: Principal, extraction_ids: Sequence[str]
    ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """Per extraction: its document id, its plain values and its stored fields."""
        statement = (
            self._extractions(principal)
            .with_only_columns(Extraction.document_id, Extraction.values, Extraction.fields)
            .where(Extraction.id.in_(extraction_ids))
            .order_by(Extraction.document_id)
        )
        rows = (await self.session.execute(statement)).all()
        return [(row[0], row[1], row[2] or {}) for row in rows]

    async def labels(
        self, principal: Principal, document_ids: Sequence[str]
    ) -> dict[str, tuple[list[str], dict[str, Any]]]:
        """Each document's tags and custom-field values (their read copy on the document)."""
        statement = self.readable(principal).with_only_columns(
            Document.id, Document.tags, Document.custom_fields
        )
        rows = await self.session.execute(statement.where(Document.id.in_(document_ids)))
        return {row[0]: (row[1] or [], row[2] or {}) for row in rows.all()}

    async def batch_names(self, principal: Principal, batch_ids: Sequence[str]) -> dict[str, str]:
        statement = (
            BatchRepository.from_session(self.session)
            .readable(principal)
            .with_only_columns(Batch.id, Batch.name)
            .where(Batch.id.in_(batch_ids))
        )
        return {row[0]: row[1] or row[0] for row in (await self.session.execute(statement)).all()}

    async def documents_with_status(
        self, principal: Principal, batch_id: str | None, status: DocumentStatus
    ) -> Sequence[Document]:
        """One batch's documents in ``status``, or (``batch_id`` None) all the team's."""
        statement = self.readable(principal).where(Document.status == status)
        if batch_id is not None:
            statement = statement.where(Document.batch_id == batch_id)
        return await self.get_all(statement.order_by(Document.id))

    async def latest_extractions(
        self, principal: Principal, document_id: str
    ) -> Sequence[Extraction]:
        """The newest extraction of each template applied to the document."""
        extractions = self._extractions(principal)
        newest = (
            extractions.with_only_columns(func.max(Extraction.id))
            .where(Extraction.document_id == document_id)
            .group_by(Extraction.template_name)
        )
        statement = extractions.where(Extraction.id.in_(newest)).order_by(Extraction.id)
        return (await self.session.scalars(statement)).all()
