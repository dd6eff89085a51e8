"""Sign-in for the browser: the API's own auth service, with the refresh token moved into an
HttpOnly, SameSite=Strict cookie scoped to the session endpoints."""

from __future__ import annotations

from fastapi import Request, Response

from folio.auth.errors import InvalidToken
from folio.auth.schemas import LoginResult, TokenPair
from folio.core.errors import Forbidden
from folio.web.schemas import WebSession

REFRESH_COOKIE = "folio_refresh"
COOKIE_PATH = "/web/session"
CSRF_HEADER = "x-folio-csrf"


def check_same_origin(request: Request) -> None:
    """CSRF brake on every cookie-carrying POST, beside SameSite=Strict: a custom header (a
    cross-site form cannot send one, and a cross-site fetch with it needs a CORS grant Folio
    never gives) and, when the browser sends one, an Origin equal to this server's."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise Forbidden("This request needs the X-Folio-CSRF header.")
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise Forbidden("Cross-site requests are refused.")


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def session_response(result: LoginResult, request: Request, response: Response) -> WebSession:
    if result.tokens is None:
        return WebSession(mfa_required=result.mfa_required, mfa_token=result.mfa_token)
    return tokens_response(result.tokens, request, response, result)


def tokens_response(
    tokens: TokenPair, request: Request, response: Response, result: LoginResult | None = None
) -> WebSession:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=tokens.refresh_expires_in,
        path=COOKIE_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
    response.headers["Cache-Control"] = "no-store"
    return WebSession(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        user=result.user if result is not None else None,
    )


def refresh_token_of(request: Request) -> str:
    token = request.cookies.get(REFRESH_COOKIE)
    if not token or len(token) > 200:
        raise InvalidToken("Not signed in.")
    return token


def clear_cookie(response: Response) -> None:
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
