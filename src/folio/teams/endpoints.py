from __future__ import annotations

from fastapi import APIRouter, Response

from folio.core.deps import Authenticated, DbSession, PageQuery, RuntimeDep
from folio.core.pagination import Page
from folio.core.responses import problems
from folio.teams.invitations import invitation as invitation_service
from folio.teams.roles import role as role_service
from folio.teams.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    MemberRead,
    MemberUpdate,
    PermissionAuditEntry,
    RoleAssignmentCreate,
    RoleAssignmentRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)
from folio.teams.service import team as team_service

router = APIRouter(prefix="/api/v1/teams", tags=["teams"])
invitations_router = APIRouter(prefix="/api/v1/invitations", tags=["teams"])


@router.post(
    "",
    status_code=201,
    response_model=TeamRead,
    summary="Create a team; you become its owner",
    responses=problems(401, 403, 409, 422),
)
async def create_team(
    data: TeamCreate, principal: Authenticated, session: DbSession, runtime: RuntimeDep
):
    return await team_service.create(session, principal, runtime.settings, data)


@router.get(
    "", response_model=Page[TeamRead], summary="Teams you belong to", responses=problems(401, 422)
)
async def list_teams(principal: Authenticated, session: DbSession, page: PageQuery):
    return await team_service.list_teams(session, principal, page)


@router.get(
    "/{team_id}", response_model=TeamRead, summary="Get a team", responses=problems(401, 404)
)
async def get_team(team_id: str, principal: Authenticated, session: DbSession):
    return await team_service.get(session, principal, team_id)


@router.patch(
    "/{team_id}",
    response_model=TeamRead,
    summary="Update a team's name, description or settings",
    responses=problems(401, 403, 404, 422),
)
async def update_team(team_id: str, data: TeamUpdate, principal: Authenticated, session: DbSession):
    return await team_service.update(session, principal, team_id, data)


@router.delete(
    "/{team_id}",
    status_code=204,
    summary="Delete a team (owners only)",
    responses=problems(401, 403, 404, 409),
)
async def delete_team(
    team_id: str, principal: Authenticated, session: DbSession, runtime: RuntimeDep
) -> Response:
    await team_service.delete(session, principal, runtime, team_id)
    return Response(status_code=204)


@router.get(
    "/{team_id}/members",
    response_model=list[MemberRead],
    summary="List members",
    responses=problems(401, 404),
)
async def list_members(team_id: str, principal: Authenticated, session: DbSession):
    return await team_service.members(session, principal, team_id)


@router.patch(
    "/{team_id}/members/{user_id}",
    response_model=MemberRead,
    summary="Change a member's role",
    responses=problems(401, 403, 404, 409, 422),
)
async def change_member_role(
    team_id: str,
    user_id: str,
    data: MemberUpdate,
    principal: Authenticated,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await team_service.change_role(session, principal, runtime, team_id, user_id, data.role)


@router.post(
    "/{team_id}/members/{user_id}/approve",
    response_model=MemberRead,
    summary="Approve a pending member",
    responses=problems(401, 403, 404),
)
async def approve_member(
    team_id: str, user_id: str, principal: Authenticated, session: DbSession, runtime: RuntimeDep
):
    return await team_service.approve_member(session, principal, runtime, team_id, user_id)


@router.delete(
    "/{team_id}/members/{user_id}",
    status_code=204,
    summary="Remove a member, or leave the team yourself",
    responses=problems(401, 403, 404, 409),
)
async def remove_member(
    team_id: str, user_id: str, principal: Authenticated, session: DbSession, runtime: RuntimeDep
) -> Response:
    await team_service.remove_member(session, principal, runtime, team_id, user_id)
    return Response(status_code=204)


@router.post(
    "/{team_id}/invitations",
    status_code=201,
    response_model=InvitationRead,
    summary="Invite someone by e-mail",
    responses=problems(401, 403, 404, 409, 422),
)
async def create_invitation(
    team_id: str,
    data: InvitationCreate,
    principal: Authenticated,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await invitation_service.invite(session, principal, runtime, team_id, data)


@router.get(
    "/{team_id}/invitations",
    response_model=list[InvitationRead],
    summary="List invitations",
    responses=problems(401, 403, 404),
)
async def list_invitations(team_id: str, principal: Authenticated, session: DbSession):
    return await invitation_service.list_invitations(session, principal, team_id)


@router.delete(
    "/{team_id}/invitations/{invitation_id}",
    status_code=204,
    summary="Revoke an invitation",
    responses=problems(401, 403, 404),
)
async def revoke_invitation(
    team_id: str, invitation_id: str, principal: Authenticated, session: DbSession
) -> Response:
    await invitation_service.revoke(session, principal, team_id, invitation_id)
    return Response(status_code=204)


@invitations_router.post(
    "/accept",
    response_model=MemberRead,
    summary="Accept an invitation sent to your address",
    responses=problems(401, 403, 404, 409, 422),
)
async def accept_invitation(
    data: InvitationAccept, principal: Authenticated, session: DbSession, runtime: RuntimeDep
):
    return await invitation_service.accept(session, principal, runtime, data.token)


@router.post(
    "/{team_id}/roles",
    status_code=201,
    response_model=RoleRead,
    summary="Create a custom role",
    responses=problems(401, 403, 404, 409, 422),
)
async def create_role(team_id: str, data: RoleCreate, principal: Authenticated, session: DbSession):
    return await role_service.create(session, principal, team_id, data)


@router.get(
    "/{team_id}/roles",
    response_model=list[RoleRead],
    summary="List custom roles",
    responses=problems(401, 404),
)
async def list_roles(team_id: str, principal: Authenticated, session: DbSession):
    return await role_service.list_roles(session, principal, team_id)


@router.patch(
    "/{team_id}/roles/{role_id}",
    response_model=RoleRead,
    summary="Update a custom role",
    responses=problems(401, 403, 404, 409, 422),
)
async def update_role(
    team_id: str, role_id: str, data: RoleUpdate, principal: Authenticated, session: DbSession
):
    return await role_service.update(session, principal, team_id, role_id, data)


@router.delete(
    "/{team_id}/roles/{role_id}",
    status_code=204,
    summary="Delete a custom role",
    responses=problems(401, 403, 404, 409),
)
async def delete_role(
    team_id: str, role_id: str, principal: Authenticated, session: DbSession
) -> Response:
    await role_service.delete(session, principal, team_id, role_id)
    return Response(status_code=204)


@router.post(
    "/{team_id}/role-assignments",
    status_code=201,
    response_model=RoleAssignmentRead,
    summary="Give a member a role, optionally scoped and expiring",
    responses=problems(401, 403, 404, 422),
)
async def assign_role(
    team_id: str, data: RoleAssignmentCreate, principal: Authenticated, session: DbSession
):
    return await role_service.assign(session, principal, team_id, data)


@router.get(
    "/{team_id}/role-assignments",
    response_model=list[RoleAssignmentRead],
    summary="List live role assignments",
    responses=problems(401, 404),
)
async def list_role_assignments(team_id: str, principal: Authenticated, session: DbSession):
    return await role_service.assignments(session, principal, team_id)


@router.delete(
    "/{team_id}/role-assignments/{assignment_id}",
    status_code=204,
    summary="Remove a role assignment",
    responses=problems(401, 403, 404),
)
async def remove_role_assignment(
    team_id: str, assignment_id: str, principal: Authenticated, session: DbSession
) -> Response:
    await role_service.unassign(session, principal, team_id, assignment_id)
    return Response(status_code=204)


@router.get(
    "/{team_id}/permissions/audit",
    response_model=list[PermissionAuditEntry],
    summary="Who can do what in this team",
    responses=problems(401, 403, 404),
)
async def audit_permissions(team_id: str, principal: Authenticated, session: DbSession):
    return await role_service.audit(session, principal, team_id)
