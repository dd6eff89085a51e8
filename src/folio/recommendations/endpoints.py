from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.schemas import DocumentId
from folio.recommendations.models import ActionStatus, RecommendationAction
from folio.recommendations.schemas import (
    ActionRead,
    ImplementRequest,
    RecommendationRead,
    ReviewRequest,
)
from folio.recommendations.service import recommendation as recommendation_service

router = APIRouter(tags=["recommendations"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


@router.get(
    "/api/v1/documents/{document_id}/recommendations",
    response_model=Page[RecommendationRead],
    summary="A document's recommendations (from its analysis), with stable ids and status",
    responses=problems(401, 403, 404, 422),
)
async def list_recommendations(
    document_id: DocumentId, principal: DocumentsRead, session: DbSession, page: PageQuery
) -> Page[RecommendationRead]:
    return await recommendation_service.list_for_document(session, principal, document_id, page)


@router.post(
    "/api/v1/recommendations/{recommendation_id}/implement",
    status_code=201,
    response_model=ActionRead,
    summary="Create the recommendation's action (e.g. a redaction), pending a reviewer's approval",
    responses=problems(401, 403, 404, 409, 422),
)
async def implement_recommendation(
    recommendation_id: str, data: ImplementRequest, principal: DocumentsWrite, session: DbSession
) -> RecommendationAction:
    return await recommendation_service.implement(session, principal, recommendation_id, data)


@router.get(
    "/api/v1/recommendation-actions",
    response_model=Page[ActionRead],
    summary="Actions created from recommendations, newest first",
    responses=problems(401, 403, 422),
)
async def list_recommendation_actions(
    principal: DocumentsRead,
    session: DbSession,
    page: PageQuery,
    status: ActionStatus | None = None,
    document_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[ActionRead]:
    return await recommendation_service.list_actions(
        session, principal, page, status=status, document_id=document_id
    )


@router.get(
    "/api/v1/recommendation-actions/{action_id}",
    response_model=ActionRead,
    summary="Get an action and its review",
    responses=problems(401, 403, 404),
)
async def get_recommendation_action(
    action_id: str, principal: DocumentsRead, session: DbSession
) -> RecommendationAction:
    return await recommendation_service.get_action(session, principal, action_id)


@router.post(
    "/api/v1/recommendation-actions/{action_id}/approve",
    response_model=ActionRead,
    summary="Approve and run a pending action (a redaction is written now)",
    responses=problems(401, 403, 404, 409, 422),
)
async def approve_recommendation_action(
    action_id: str,
    data: ReviewRequest,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> RecommendationAction:
    return await recommendation_service.approve(session, principal, runtime, action_id, data)


@router.post(
    "/api/v1/recommendation-actions/{action_id}/reject",
    response_model=ActionRead,
    summary="Reject a pending action; nothing is run",
    responses=problems(401, 403, 404, 409),
)
async def reject_recommendation_action(
    action_id: str, data: ReviewRequest, principal: DocumentsWrite, session: DbSession
) -> RecommendationAction:
    return await recommendation_service.reject(session, principal, action_id, data)
