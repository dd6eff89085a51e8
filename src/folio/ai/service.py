"""On-demand analysis of a stored document or a text, with the pipeline's own functions."""

from __future__ import annotations

import logging
from collections import Counter

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.ai.prediction import LEVEL, MAX_HISTORY, MODEL_VERSION, Sample, predict
from folio.ai.repository import HistoryRepository
from folio.ai.schemas import (
    ConfidenceInterval,
    EntitiesRequest,
    EntitiesResult,
    PredictionFactor,
    PredictionValue,
    PredictRequest,
    PredictResult,
    Source,
    SummaryRequest,
    SummaryResult,
)
from folio.config import Settings
from folio.core.errors import FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.service import document as document_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import ENTITY_TYPES, extract_entities, summarize
from folio.pipeline.intelligence.llm import ChatEndpoint, LlmError, abstractive_summary

logger = logging.getLogger("folio.ai")


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
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        request: SummaryRequest,
    ) -> SummaryResult:
        source = await self._source(session, principal, request)
        text = source if isinstance(source, str) else source.text
        reason = None
        if request.mode == "abstractive":
            endpoint = self._endpoint(runtime.settings)
            if endpoint is None:
                reason = "LLM_NOT_CONFIGURED"
            else:
                try:
                    return await self._abstractive(text, endpoint, request)
                except LlmError as exc:
                    logger.warning("abstractive summary failed: %s", exc)
                    reason = f"LLM_FAILED: {exc}"
        result = await anyio.to_thread.run_sync(
            lambda: summarize(text, length=request.length, focus=request.focus)
        )
        return SummaryResult(
            document_id=request.document_id,
            summary=result,
            mode="extractive",
            fallback=reason is not None,
            fallback_reason=reason,
        )

    async def _abstractive(
        self, text: str, endpoint: ChatEndpoint, request: SummaryRequest
    ) -> SummaryResult:
        result = await anyio.to_thread.run_sync(
            lambda: abstractive_summary(text, endpoint, length=request.length, focus=request.focus)
        )
        return SummaryResult(
            document_id=request.document_id,
            summary=result,
            mode="abstractive",
            model=endpoint.model,
        )

    def _endpoint(self, settings: Settings) -> ChatEndpoint | None:
        if not settings.llm_base_url or not settings.llm_model:
            return None
        return ChatEndpoint(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
        )

    async def predict(
        self, session: AsyncSession, principal: Principal, request: PredictRequest
    ) -> PredictResult:
        rows = await HistoryRepository.from_session(session).processing_history(
            principal, limit=MAX_HISTORY
        )
        history = [
            Sample(
                pages=pages,
                ocr_share=min(1.0, ((ocr or {}).get("pages_ocr") or 0) / pages),
                document_type=document_type,
                kind=kind,
                seconds=milliseconds / 1000,
            )
            for milliseconds, pages, ocr, document_type, kind in rows
        ]
        estimate = await anyio.to_thread.run_sync(
            lambda: predict(
                history,
                pages=request.page_count,
                ocr_needed=request.ocr_needed,
                document_type=request.document_type,
                kind=request.kind,
            )
        )
        return PredictResult(
            prediction=PredictionValue(
                value=estimate.seconds,
                confidence=estimate.confidence,
                confidence_interval=ConfidenceInterval(
                    lower=estimate.lower, upper=estimate.upper, level=LEVEL
                ),
            ),
            factors=[
                PredictionFactor.model_validate(f, from_attributes=True) for f in estimate.factors
            ],
            history_samples=estimate.samples,
            method="history" if history else "prior",
            model_version=MODEL_VERSION,
        )


ai = AiService()
