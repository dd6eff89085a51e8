from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.retention.models import RetentionPolicy
from folio.retention.purge import purge_team
from folio.retention.schemas import (
    LegalHoldCreate,
    LegalHoldRead,
    PurgeRecordRead,
    PurgeSummary,
    RetentionPolicyCreate,
    RetentionPolicyRead,
    RetentionPolicyUpdate,
)
from folio.retention.service import retention as retention_service

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])
holds_router = APIRouter(prefix="/api/v1/legal-holds", tags=["retention"])
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]


@router.get(
    "/policies",
    response_model=list[RetentionPolicyRead],
    summary="The team's retention policies",
    responses=problems(401, 403),
)
async def list_policies(principal: TeamManage, session: DbSession):
    return await retention_service.list_policies(session, principal)


@router.post(
    "/policies",
    status_code=201,
    response_model=RetentionPolicyRead,
    summary="Delete originals, results or whole documents N days after processing",
    responses=problems(401, 403, 409, 422),
)
async def create_policy(
    data: RetentionPolicyCreate, principal: TeamManage, session: DbSession
) -> RetentionPolicy:
    return await retention_service.create_policy(session, principal, data)


@router.get(
    "/policies/{policy_id}",
    response_model=RetentionPolicyRead,
    summary="A retention policy",
    responses=problems(401, 403, 404),
)
async def get_policy(policy_id: str, principal: TeamManage, session: DbSession) -> RetentionPolicy:
    return await retention_service.get_policy(session, principal, policy_id)


@router.patch(
    "/policies/{policy_id}",
    response_model=RetentionPolicyRead,
    summary="Change a policy's days or document type",
    responses=problems(401, 403, 404, 422),
)
async def update_policy(
    policy_id: str, data: RetentionPolicyUpdate, principal: TeamManage, session: DbSession
) -> RetentionPolicy:
    return await retention_service.update_policy(session, principal, policy_id, data)


@router.delete(
    "/policies/{policy_id}",
    status_code=204,
    summary="Remove a retention policy",
    responses=problems(401, 403, 404),
)
async def delete_policy(policy_id: str, principal: TeamManage, session: DbSession) -> Response:
    await retention_service.delete_policy(session, principal, policy_id)
    return Response(status_code=204)


@router.post(
    "/purge",
    response_model=PurgeSummary,
    summary="Apply the team's policies now (the server also does it periodically)",
    responses=problems(401, 403),
)
async def purge_now(principal: TeamManage, runtime: RuntimeDep) -> PurgeSummary:
    return await purge_team(runtime, principal.team_id)


@router.get(
    "/purge-log",
    response_model=Page[PurgeRecordRead],
    summary="What retention and erasures deleted, newest first",
    responses=problems(401, 403, 422),
)
async def list_purge_log(principal: TeamManage, session: DbSession, page: PageQuery):
    return await retention_service.purge_log(session, principal, page)


@holds_router.get(
    "",
    response_model=Page[LegalHoldRead],
    summary="The team's legal holds",
    responses=problems(401, 403, 422),
)
async def list_holds(
    principal: TeamManage,
    session: DbSession,
    page: PageQuery,
    active: Annotated[bool, Query(description="Only holds not released")] = False,
) -> Page[LegalHoldRead]:
    return await retention_service.list_holds(session, principal, page, active_only=active)


@holds_router.post(
    "",
    status_code=201,
    response_model=LegalHoldRead,
    summary="Hold a document or a batch: nothing deletes it until released",
    responses=problems(401, 403, 404, 422),
)
async def place_hold(
    data: LegalHoldCreate, principal: TeamManage, session: DbSession
) -> LegalHoldRead:
    return await retention_service.place_hold(session, principal, data)


@holds_router.get(
    "/{hold_id}",
    response_model=LegalHoldRead,
    summary="A legal hold",
    responses=problems(401, 403, 404),
)
async def get_hold(hold_id: str, principal: TeamManage, session: DbSession) -> LegalHoldRead:
    return await retention_service.get_hold(session, principal, hold_id)


@holds_router.delete(
    "/{hold_id}",
    response_model=LegalHoldRead,
    summary="Release a legal hold (it stays listed, released)",
    responses=problems(401, 403, 404),
)
async def release_hold(hold_id: str, principal: TeamManage, session: DbSession) -> LegalHoldRead:
    return await retention_service.release_hold(session, principal, hold_id)
