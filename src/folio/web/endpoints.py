"""The browser app at ``/``: one page shell for every view, its static files, and the session
endpoints that keep the refresh token in a cookie. Data is read and changed only through
``/api/v1`` with the access token, so every view goes through the API's own services."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.auth.schemas import LoginRequest, MfaLoginRequest
from folio.auth.service import Client as ClientData
from folio.auth.service import auth as auth_service
from folio.core.deps import Authenticated, Client, DbSession, RuntimeDep
from folio.web import service
from folio.web.schemas import WebSession

STATIC_DIR = Path(__file__).with_name("static")
STATIC_PATH = "/web/static"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",  # page images are fetched with the token, shown as blobs
        "font-src 'self' data:",
        "connect-src 'self'",  # same-origin ws: too (CSP 3)
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _shell() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "index.html").read_text(), headers=PAGE_HEADERS)


@router.get("/")
@router.get("/login")
@router.get("/keys")
@router.get("/batches")
@router.get("/notifications")
@router.get("/webhooks")
@router.get("/usage")
@router.get("/sso/callback")
@router.get("/account")
@router.get("/team")
@router.get("/tickets")
@router.get("/datasets")
@router.get("/forgot-password")
@router.get("/reset-password")
@router.get("/invitations/accept")
@router.get("/verify-email")
async def page() -> HTMLResponse:
    return _shell()


@router.get("/documents/{document_id}")
@router.get("/batches/{batch_id}")
@router.get("/datasets/{project_id}")
async def item_page() -> HTMLResponse:
    return _shell()  # the script asks the API for the item: another team's is a 404 there


@router.post("/web/session", response_model=WebSession)
async def sign_in(
    data: LoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    runtime: RuntimeDep,
    client: Client,
) -> WebSession:
    service.check_same_origin(request)
    result = await auth_service.login(
        session, runtime, data, ClientData(client.ip, client.user_agent)
    )
    return service.session_response(result, request, response)


@router.post("/web/session/mfa", response_model=WebSession)
async def sign_in_mfa(
    data: MfaLoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    runtime: RuntimeDep,
    client: Client,
) -> WebSession:
    service.check_same_origin(request)
    result = await auth_service.login_mfa(
        session, runtime, data, ClientData(client.ip, client.user_agent)
    )
    return service.session_response(result, request, response)


@router.post("/web/session/refresh", response_model=WebSession)
async def refresh(
    request: Request, response: Response, session: DbSession, runtime: RuntimeDep
) -> WebSession:
    service.check_same_origin(request)
    tokens = await auth_service.refresh(
        session,
        runtime,
        service.refresh_token_of(request),
        reuse_grace=timedelta(seconds=runtime.settings.web_refresh_reuse_grace_s),
    )
    return service.tokens_response(tokens, request, response)


@router.post("/web/session/logout", status_code=204)
async def sign_out(request: Request, principal: Authenticated, session: DbSession) -> Response:
    service.check_same_origin(request)
    await auth_service.logout(session, principal)
    response = Response(status_code=204)
    service.clear_cookie(response)
    return response


class _HardenedStatic:
    """The app's own scripts and styles, with the page's policy instead of the API's sandbox
    (a worker script runs under the policy it is served with)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *((k.lower().encode(), v.encode()) for k, v in PAGE_HEADERS.items()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_policy)


def install_web(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(STATIC_PATH, _HardenedStatic(StaticFiles(directory=STATIC_DIR)), name="web-static")
