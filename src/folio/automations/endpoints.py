from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.automations.schemas import (
    AutomationCreate,
    AutomationRead,
    AutomationUpdate,
    DryRunRequest,
    DryRunResult,
    RunRead,
)
from folio.automations.service import automation as automation_service
from folio.core.deps import DbSession, PageQuery, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems

router = APIRouter(prefix="/api/v1/automations", tags=["automations"])
AutomationsRead = Annotated[Principal, Depends(require(Permission.automations_read))]
AutomationsWrite = Annotated[Principal, Depends(require(Permission.automations_write))]


@router.post(
    "",
    status_code=201,
    response_model=AutomationRead,
    summary="Create an automation rule: trigger, conditions, actions",
    responses=problems(401, 403, 422),
)
async def create_automation(
    data: AutomationCreate, principal: AutomationsWrite, session: DbSession
):
    return await automation_service.create(session, principal, data)


@router.get(
    "",
    response_model=Page[AutomationRead],
    summary="List automation rules",
    responses=problems(401, 403, 422),
)
async def list_automations(principal: AutomationsRead, session: DbSession, page: PageQuery):
    return await automation_service.list_rules(session, principal, page)


@router.get(
    "/{automation_id}",
    response_model=AutomationRead,
    summary="Get an automation rule",
    responses=problems(401, 403, 404),
)
async def get_automation(automation_id: str, principal: AutomationsRead, session: DbSession):
    return await automation_service.get(session, principal, automation_id)


@router.patch(
    "/{automation_id}",
    response_model=AutomationRead,
    summary="Change a rule; enable, disable, or resume a paused one",
    responses=problems(401, 403, 404, 422),
)
async def update_automation(
    automation_id: str, data: AutomationUpdate, principal: AutomationsWrite, session: DbSession
):
    return await automation_service.update(session, principal, automation_id, data)


@router.delete(
    "/{automation_id}",
    status_code=204,
    summary="Delete a rule and its run log",
    responses=problems(401, 403, 404),
)
async def delete_automation(
    automation_id: str, principal: AutomationsWrite, session: DbSession
) -> Response:
    await automation_service.delete(session, principal, automation_id)
    return Response(status_code=204)


@router.post(
    "/{automation_id}/test",
    response_model=DryRunResult,
    summary="Dry run on a document: which conditions match, which actions would run",
    description="Changes nothing.",
    responses=problems(401, 403, 404, 422),
)
async def test_automation(
    automation_id: str, data: DryRunRequest, principal: AutomationsRead, session: DbSession
) -> DryRunResult:
    return await automation_service.dry_run(session, principal, automation_id, data.document_id)


@router.get(
    "/{automation_id}/runs",
    response_model=Page[RunRead],
    summary="The rule's runs, newest first: trigger, match, each action's result and time",
    responses=problems(401, 403, 404, 422),
)
async def list_automation_runs(
    automation_id: str, principal: AutomationsRead, session: DbSession, page: PageQuery
) -> Page[RunRead]:
    return await automation_service.runs(session, principal, automation_id, page)
