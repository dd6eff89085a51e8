from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.auth.service import Client as ClientData
from folio.core.deps import (
    Authenticated,
    Client,
    DbSession,
    PageQuery,
    RuntimeDep,
    require,
    require_interactive,
)
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.sso.models import FlowKind
from folio.sso.schemas import (
    FlowCallback,
    FlowStart,
    FlowStarted,
    LogoutResult,
    ProviderCreate,
    ProviderRead,
    ProviderUpdate,
    SsoLoginResult,
)
from folio.sso.service import provider as provider_service
from folio.sso.signin import signin as signin_service

router = APIRouter(prefix="/api/v1/sso", tags=["sso"])
ProvidersRead = Annotated[Principal, Depends(require(Permission.team_manage))]
# who may sign a team in is account security: a signed-in admin's, never an API key's
ProvidersManage = Annotated[Principal, Depends(require_interactive(Permission.team_manage))]


@router.post(
    "/providers",
    status_code=201,
    response_model=ProviderRead,
    summary="Connect an OpenID Connect provider (its discovery document is fetched now)",
    responses=problems(401, 403, 422),
)
async def create_provider(
    data: ProviderCreate, principal: ProvidersManage, session: DbSession, runtime: RuntimeDep
) -> ProviderRead:
    return await provider_service.create(session, principal, runtime, data)


@router.get(
    "/providers",
    response_model=Page[ProviderRead],
    summary="The team's identity providers and the installation-wide ones",
    responses=problems(401, 403, 422),
)
async def list_providers(
    principal: ProvidersRead, session: DbSession, page: PageQuery
) -> Page[ProviderRead]:
    return await provider_service.list_providers(session, principal, page)


@router.get(
    "/providers/{provider_id}",
    response_model=ProviderRead,
    summary="Get an identity provider (never its client secret)",
    responses=problems(401, 403, 404),
)
async def get_provider(
    provider_id: str, principal: ProvidersRead, session: DbSession
) -> ProviderRead:
    return await provider_service.get_read(session, principal, provider_id)


@router.patch(
    "/providers/{provider_id}",
    response_model=ProviderRead,
    summary="Change an identity provider: mapping, domains, SSO required, on or off",
    responses=problems(401, 403, 404, 422),
)
async def update_provider(
    provider_id: str, data: ProviderUpdate, principal: ProvidersManage, session: DbSession
) -> ProviderRead:
    return await provider_service.update(session, principal, provider_id, data)


@router.delete(
    "/providers/{provider_id}",
    status_code=204,
    summary="Remove an identity provider (its users keep their accounts)",
    responses=problems(401, 403, 404),
)
async def delete_provider(
    provider_id: str, principal: ProvidersManage, session: DbSession
) -> Response:
    await provider_service.delete(session, principal, provider_id)
    return Response(status_code=204)


@router.post(
    "/flows",
    status_code=201,
    response_model=FlowStarted,
    summary="Start a sign-in for a script: open authorization_url, then post the code back",
    responses=problems(404, 409, 422, 502),
)
async def start_flow(data: FlowStart, session: DbSession, runtime: RuntimeDep) -> FlowStarted:
    return await signin_service.start(
        session,
        runtime,
        provider_id=data.provider_id,
        email=data.email,
        redirect_uri=str(data.redirect_uri) if data.redirect_uri else None,
        kind=FlowKind.api,
    )


@router.post(
    "/flows/{flow_id}/callback",
    response_model=SsoLoginResult,
    summary="Finish a sign-in with the provider's code and state: Folio's token pair",
    responses=problems(401, 403, 409, 422, 502),
)
async def finish_flow(
    flow_id: str, data: FlowCallback, session: DbSession, runtime: RuntimeDep, client: Client
) -> SsoLoginResult:
    return await signin_service.finish(
        session,
        runtime,
        flow_id=flow_id,
        code=data.code,
        state=data.state,
        kind=FlowKind.api,
        client=ClientData(client.ip, client.user_agent),
    )


@router.post(
    "/logout",
    response_model=LogoutResult,
    summary="End this session; for an SSO session, the provider's sign-out URL",
    responses=problems(401),
)
async def logout(principal: Authenticated, session: DbSession, runtime: RuntimeDep) -> LogoutResult:
    return await signin_service.logout(session, runtime, principal)
