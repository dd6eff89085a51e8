from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.auth.schemas import LoginResult
from folio.core.deps import Client, DbSession, PageQuery, RuntimeDep, require, require_interactive
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.directory import runs
from folio.directory.login import ldap_login
from folio.directory.models import DirectorySyncRun
from folio.directory.schemas import (
    ConnectionTest,
    LdapDirectoryRead,
    LdapDirectoryWrite,
    LdapLogin,
    ScimTokenCreate,
    ScimTokenCreated,
    ScimTokenRead,
    SyncRunRead,
)
from folio.directory.service import directory_read
from folio.directory.service import ldap_directory as ldap_service
from folio.directory.tokens import scim_token as token_service

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])
login_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]
# who may create accounts or sign people in is account security: a signed-in admin, no key
TeamSecurity = Annotated[Principal, Depends(require_interactive(Permission.team_manage))]


@router.get(
    "/ldap",
    response_model=LdapDirectoryRead,
    summary="The team's LDAP directory (the bind password is never returned)",
    responses=problems(401, 403, 404),
)
async def get_ldap_directory(principal: TeamManage, session: DbSession) -> LdapDirectoryRead:
    return directory_read(await ldap_service.get(session, principal))


@router.put(
    "/ldap",
    response_model=LdapDirectoryRead,
    summary="Connect the team to an LDAP directory, or change its settings",
    responses=problems(401, 403, 422),
)
async def put_ldap_directory(
    data: LdapDirectoryWrite, principal: TeamSecurity, session: DbSession
) -> LdapDirectoryRead:
    return directory_read(await ldap_service.put(session, principal, data))


@router.delete(
    "/ldap",
    status_code=204,
    summary="Disconnect the directory (its accounts stay, no longer synced)",
    responses=problems(401, 403, 404),
)
async def delete_ldap_directory(principal: TeamSecurity, session: DbSession) -> Response:
    await ldap_service.delete(session, principal)
    return Response(status_code=204)


@router.post(
    "/ldap/test",
    response_model=ConnectionTest,
    summary="Bind and search with the stored settings; nothing changes",
    responses=problems(401, 403, 404),
)
async def test_ldap_directory(principal: TeamManage, runtime: RuntimeDep) -> ConnectionTest:
    return await runs.test_connection(runtime, principal)


@router.post(
    "/ldap/sync",
    response_model=SyncRunRead,
    summary="Sync now: create, update and disable the directory's accounts",
    responses=problems(401, 403, 404),
)
async def sync_ldap_directory(principal: TeamManage, runtime: RuntimeDep) -> DirectorySyncRun:
    return await runs.sync_now(runtime, principal)


@router.get(
    "/ldap/sync-runs",
    response_model=Page[SyncRunRead],
    summary="The team's sync runs, newest first",
    responses=problems(401, 403, 422),
)
async def list_sync_runs(principal: TeamManage, session: DbSession, page: PageQuery):
    return await ldap_service.runs(session, principal, page)


@router.get(
    "/ldap/sync-runs/{run_id}",
    response_model=SyncRunRead,
    summary="A sync run with its counts and errors",
    responses=problems(401, 403, 404),
)
async def get_sync_run(run_id: str, principal: TeamManage, session: DbSession) -> DirectorySyncRun:
    return await ldap_service.run(session, principal, run_id)


@router.get(
    "/scim-tokens",
    response_model=list[ScimTokenRead],
    summary="The team's SCIM bearer tokens (never their secrets)",
    responses=problems(401, 403),
)
async def list_scim_tokens(principal: TeamManage, session: DbSession):
    return await token_service.list_tokens(session, principal)


@router.post(
    "/scim-tokens",
    status_code=201,
    response_model=ScimTokenCreated,
    summary="A SCIM bearer token for an identity provider (the secret is shown once)",
    responses=problems(401, 403, 422),
)
async def create_scim_token(
    data: ScimTokenCreate, principal: TeamSecurity, session: DbSession
) -> ScimTokenCreated:
    return await token_service.create(session, principal, data)


@router.post(
    "/scim-tokens/{token_id}/rotate",
    status_code=201,
    response_model=ScimTokenCreated,
    summary="Replace a SCIM token's secret; the old one stops at once",
    responses=problems(401, 403, 404),
)
async def rotate_scim_token(
    token_id: str, principal: TeamSecurity, session: DbSession
) -> ScimTokenCreated:
    return await token_service.rotate(session, principal, token_id)


@router.delete(
    "/scim-tokens/{token_id}",
    status_code=204,
    summary="Revoke a SCIM token",
    responses=problems(401, 403, 404),
)
async def revoke_scim_token(token_id: str, principal: TeamSecurity, session: DbSession) -> Response:
    await token_service.revoke(session, principal, token_id)
    return Response(status_code=204)


@login_router.post(
    "/ldap/login",
    response_model=LoginResult,
    summary="Sign in with the username and password of the team's LDAP directory",
    responses=problems(401, 422, 429, 503),
)
async def login_ldap(data: LdapLogin, runtime: RuntimeDep, client: Client) -> LoginResult:
    return await ldap_login(runtime, data, ip=client.ip, user_agent=client.user_agent)
