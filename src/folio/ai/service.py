"""On-demand analysis of a stored document or a text, with the pipeline's own functions."""

from __future__ import annotations

from collections import Counter

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.ai.schemas import EntitiesRequest, EntitiesResult, Source, SummaryRequest, SummaryResult
from folio.core.errors import FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.documents.service import document as document_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import ENTITY_TYPES, extract_entities, summarize


class AiService:
    async def _source(
        self, session: AsyncSession, principal: Principal, source: Source
    ) -> DocumentResult | str:
        if source.text is not None:
            return source.text
        return await document_service.pipeline_result(session, principal, source.document_id or "")

    async def entities(
        self, session: AsyncSession, principal: Principal, request: EntitiesRequest
    ) -> EntitiesResult:
        unknown = sorted(set(request.types or ()) - set(ENTITY_TYPES))
        if unknown:
            raise ValidationFailed(
                [FieldError("types", "unknown", f"Unknown entity types: {', '.join(unknown)}.")]
            )
        source = await self._source(session, principal, request)
        types = set(request.types) if request.types else None
        found = await anyio.to_thread.run_sync(
            lambda: extract_entities(source, types=types, min_confidence=request.min_confidence)
        )
        return EntitiesResult(
            document_id=request.document_id,
            entities=found,
            counts=dict(Counter(entity.type for entity in found)),
        )

    async def summary(
        self, session: AsyncSession, principal: Principal, request: SummaryRequest
    ) -> SummaryResult:
        source = await self._source(session, principal, request)
        text = source if isinstance(source, str) else source.text
        result = await anyio.to_thread.run_sync(
            lambda: summarize(text, length=request.length, focus=request.focus)
        )
        return SummaryResult(document_id=request.document_id, summary=result)


ai = AiService()
