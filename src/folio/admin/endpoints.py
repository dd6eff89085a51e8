from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from folio.admin.schemas import AdminTeamUpdate, AdminUserRead, SystemUsage, TeamUsage
from folio.admin.service import admin as admin_service
from folio.core.deps import DbSession, PageQuery, RuntimeDep, require, require_interactive
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems

router = APIRouter(prefix="/api/v1/admin", tags=["administration"])
SystemAdmin = Annotated[Principal, Depends(require(Permission.system_admin))]
# account security: a signed-in system admin, never an API key whatever its scopes
InteractiveAdmin = Annotated[Principal, Depends(require_interactive(Permission.system_admin))]


@router.get(
    "/users",
    response_model=Page[AdminUserRead],
    summary="Every account, searchable by e-mail or name",
    responses=problems(401, 403, 422),
)
async def list_users(
    principal: SystemAdmin,
    session: DbSession,
    page: PageQuery,
    q: Annotated[str | None, Query(max_length=200, description="Part of e-mail or name")] = None,
    active: Annotated[bool | None, Query(description="Only enabled (true) or disabled")] = None,
) -> Page[AdminUserRead]:
    return await admin_service.list_users(session, page, query=q, active=active)


@router.get(
    "/users/{user_id}",
    response_model=AdminUserRead,
    summary="An account",
    responses=problems(401, 403, 404),
)
async def get_user(user_id: str, principal: SystemAdmin, session: DbSession) -> AdminUserRead:
    return await admin_service.get_user(session, user_id)


@router.post(
    "/users/{user_id}/disable",
    response_model=AdminUserRead,
    summary="Disable an account: its sessions and API keys stop at their next request",
    responses=problems(401, 403, 404, 409),
)
async def disable_user(
    user_id: str, principal: InteractiveAdmin, session: DbSession
) -> AdminUserRead:
    return await admin_service.set_active(session, principal, user_id, active=False)


@router.post(
    "/users/{user_id}/enable",
    response_model=AdminUserRead,
    summary="Enable a disabled account again (its ended sessions stay ended)",
    responses=problems(401, 403, 404, 409),
)
async def enable_user(
    user_id: str, principal: InteractiveAdmin, session: DbSession
) -> AdminUserRead:
    return await admin_service.set_active(session, principal, user_id, active=True)


@router.delete(
    "/users/{user_id}",
    status_code=204,
    summary="Delete an account (teams where it is alone go with it)",
    responses=problems(401, 403, 404, 409),
)
async def delete_user(
    user_id: str, principal: InteractiveAdmin, session: DbSession, runtime: RuntimeDep
) -> Response:
    await admin_service.delete_user(session, runtime, principal, user_id)
    return Response(status_code=204)


@router.patch(
    "/teams/{team_id}",
    response_model=TeamUsage,
    summary="Change a team's plan and its quota overrides",
    responses=problems(401, 403, 404, 422),
)
async def update_team(
    team_id: str,
    data: AdminTeamUpdate,
    principal: SystemAdmin,
    session: DbSession,
    runtime: RuntimeDep,
) -> TeamUsage:
    return await admin_service.update_team(session, runtime, team_id, data)


@router.get(
    "/usage",
    response_model=SystemUsage,
    summary="System-wide usage this month, with totals per team",
    responses=problems(401, 403),
)
async def get_system_usage(principal: SystemAdmin, session: DbSession) -> SystemUsage:
    return await admin_service.usage(session)
