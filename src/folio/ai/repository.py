"""Reads of the documents table for predictions: the team's own processing history."""

from __future__ import annotations

from typing import Any

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentStatus


class HistoryRepository(TeamScopedRepository[Document]):
    model = Document

    async def processing_history(
        self, principal: Principal, *, limit: int
    ) -> list[tuple[int, int, dict[str, Any] | None, str | None, str]]:
        """``(processing_time_ms, page_count, ocr, document_type, kind)`` of the most recent
        completed documents of the principal's teams."""
        statement = (
            self.readable(principal)
            .with_only_columns(
                Document.processing_time_ms,
                Document.page_count,
                Document.ocr,
                Document.document_type,
                Document.kind,
            )
            .where(
                Document.status == DocumentStatus.completed,
                Document.processing_time_ms.is_not(None),
                Document.page_count > 0,
            )
            .order_by(Document.id.desc())
            .limit(limit)
        )
        return [tuple(row) for row in await self.session.execute(statement)]
