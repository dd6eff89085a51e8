from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.erasure.models import ErasureRequest
from folio.erasure.schemas import ErasureCreate, ErasureRead
from folio.erasure.service import erasure as erasure_service

router = APIRouter(prefix="/api/v1/erasure-requests", tags=["retention"])
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]


@router.post(
    "",
    status_code=202,
    response_model=ErasureRead,
    summary="Find a person (e-mail, name) across the team's documents; report, mask or delete",
    description="Accepted as `pending` and done in the background; read the request (its "
    "`status`, `documents_examined` and `report`) until it is `completed` or `failed`. An "
    "`erasure.completed` event (and a notification to the requester) says when it is done.",
    responses=problems(401, 403, 422),
)
async def create_erasure(
    data: ErasureCreate, principal: TeamManage, session: DbSession, runtime: RuntimeDep
) -> ErasureRequest:
    return await erasure_service.create(session, principal, runtime, data)


@router.get(
    "",
    response_model=Page[ErasureRead],
    summary="The team's erasure requests, newest first",
    responses=problems(401, 403, 422),
)
async def list_erasures(principal: TeamManage, session: DbSession, page: PageQuery):
    return await erasure_service.list_requests(session, principal, page)


@router.get(
    "/{erasure_id}",
    response_model=ErasureRead,
    summary="An erasure request and its report",
    responses=problems(401, 403, 404),
)
async def get_erasure(erasure_id: str, principal: TeamManage, session: DbSession) -> ErasureRequest:
    return await erasure_service.get(session, principal, erasure_id)
