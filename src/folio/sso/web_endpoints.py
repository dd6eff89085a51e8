"""The browser's half of single sign-on: start a flow, and finish it with the refresh token
set in the same HttpOnly cookie as a password sign-in (``folio.web.service``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from folio.auth.service import Client as ClientData
from folio.core.deps import Authenticated, Client, DbSession, RuntimeDep
from folio.sso.models import FlowKind
from folio.sso.schemas import FlowStarted, LogoutResult, WebFlowCallback, WebFlowStart
from folio.sso.signin import signin as signin_service
from folio.web import service as web_service
from folio.web.schemas import WebSession

router = APIRouter(prefix="/web/sso", include_in_schema=False)


@router.post("/start", response_model=FlowStarted)
async def start(
    data: WebFlowStart, request: Request, session: DbSession, runtime: RuntimeDep
) -> FlowStarted:
    web_service.check_same_origin(request)
    return await signin_service.start(
        session,
        runtime,
        provider_id=data.provider_id,
        email=data.email,
        redirect_uri=None,
        kind=FlowKind.web,
    )


@router.post("/callback", response_model=WebSession)
async def finish(
    data: WebFlowCallback,
    request: Request,
    response: Response,
    session: DbSession,
    runtime: RuntimeDep,
    client: Client,
) -> WebSession:
    web_service.check_same_origin(request)
    result = await signin_service.finish(
        session,
        runtime,
        flow_id=data.flow_id,
        code=data.code,
        state=data.state,
        kind=FlowKind.web,
        client=ClientData(client.ip, client.user_agent),
    )
    return web_service.session_response(result, request, response)


@router.post("/logout", response_model=LogoutResult)
async def sign_out(
    request: Request,
    response: Response,
    principal: Authenticated,
    session: DbSession,
    runtime: RuntimeDep,
) -> LogoutResult:
    """Like ``/web/session/logout``, and for an SSO session the provider's sign-out URL."""
    web_service.check_same_origin(request)
    result = await signin_service.logout(session, runtime, principal)
    web_service.clear_cookie(response)
    return result
