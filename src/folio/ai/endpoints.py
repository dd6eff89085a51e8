from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from folio.ai.schemas import (
    EntitiesRequest,
    EntitiesResult,
    PredictRequest,
    PredictResult,
    SummaryRequest,
    SummaryResult,
)
from folio.ai.service import ai as ai_service
from folio.core.deps import DbSession, RuntimeDep, require
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems

router = APIRouter(prefix="/api/v1/ai", tags=["analysis"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]


@router.post(
    "/extract-entities",
    response_model=EntitiesResult,
    summary="Entities of a document or a text, filtered by type and confidence",
    responses=problems(401, 403, 404, 409, 422),
)
async def extract_entities(
    request: EntitiesRequest, principal: DocumentsRead, session: DbSession
) -> EntitiesResult:
    return await ai_service.entities(session, principal, request)


@router.post(
    "/summarize",
    response_model=SummaryResult,
    summary="A summary with key points, optionally about focus terms (extractive, or "
    "abstractive through a configured LLM)",
    responses=problems(401, 403, 404, 409, 422),
)
async def summarize_document(
    request: SummaryRequest, principal: DocumentsRead, session: DbSession, runtime: RuntimeDep
) -> SummaryResult:
    return await ai_service.summary(session, principal, runtime, request)


@router.post(
    "/predict",
    response_model=PredictResult,
    summary="Predict a document's processing time from this team's history",
    description="A log-linear model of the team's completed documents (pages, OCR, type, "
    "kind), shrunk toward a built-in prior: before there is history the prior answers. "
    "The interval holds about 90 % of documents like this one.",
    responses=problems(401, 403, 422),
)
async def predict(
    request: PredictRequest, principal: DocumentsRead, session: DbSession
) -> PredictResult:
    return await ai_service.predict(session, principal, request)
