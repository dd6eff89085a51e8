"""The typed dependencies every router uses: runtime, DB session, principal, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FolioError, Forbidden, InteractiveSessionRequired, Unauthorized
from folio.core.pagination import MAX_LIMIT, PageParams, decode_cursor
from folio.core.permissions import Permission
from folio.core.principal import (
    AUTH_ERROR_KEY,
    Credential,
    Principal,
    principal_from_scope,
    scope_state,
)
from folio.core.runtime import Runtime

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# set on the dependencies that authenticate, so the OpenAPI document (core/openapi.py) can tell
# which operations need credentials and which may answer 403
AUTHENTICATES = "folio_authenticates"
MAY_FORBID = "folio_may_forbid"


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime  # Starlette's State holds Any
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed before the response is sent."""
    # the runtime is read here, not asked for as a dependency: every nested dependency costs
    # FastAPI a solve per request, and this one runs on nearly every route (issue 8)
    runtime: Runtime = request.app.state.runtime
    async with runtime.db.session(write=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request) -> Principal:
    """The caller resolved by the authentication middleware; 401 when there is none."""
    principal = principal_from_scope(request.scope)
    if principal is not None:
        return principal
    error = scope_state(request.scope).get(AUTH_ERROR_KEY)
    if isinstance(error, FolioError):
        error.headers.setdefault("WWW-Authenticate", "Bearer")
        raise error
    failure = Unauthorized(
        "Send an access token or API key: Authorization: Bearer … or X-API-Key: …."
    )
    failure.headers["WWW-Authenticate"] = "Bearer"
    raise failure


setattr(get_principal, AUTHENTICATES, True)
setattr(get_principal, MAY_FORBID, True)  # an API key used outside its IP allow-list
Authenticated = Annotated[Principal, Depends(get_principal)]


async def get_interactive_principal(request: Request) -> Principal:
    """A user signed in with password (and MFA): account security is never an API key's to
    change, whatever its scopes, or a leaked read-only key could take the account over."""
    principal = await get_principal(request)
    if principal.credential is not Credential.user or principal.session_id is None:
        raise InteractiveSessionRequired(
            "Sign in with your password to change account security; API keys cannot."
        )
    return principal


setattr(get_interactive_principal, AUTHENTICATES, True)
setattr(get_interactive_principal, MAY_FORBID, True)
InteractiveSession = Annotated[Principal, Depends(get_interactive_principal)]


def require_interactive(permission: Permission) -> Callable[..., object]:
    """``permission`` held by a password-signed-in user, never by an API key alone: for
    account-security actions on other accounts (disable, delete)."""

    async def check(request: Request) -> Principal:
        principal = await get_interactive_principal(request)
        if not principal.can(permission):
            raise Forbidden(f"This action needs the permission {permission}.")
        return principal

    setattr(check, AUTHENTICATES, True)
    setattr(check, MAY_FORBID, True)
    return check


def require(permission: Permission) -> Callable[..., object]:
    async def check(request: Request) -> Principal:
        principal = await get_principal(request)  # called, not nested: one solve less per route
        # a scoped grant counts for the document or batch the path names
        if not principal.can(permission) and not principal.can_on(permission, request.path_params):
            raise Forbidden(f"This action needs the permission {permission}.")
        return principal

    setattr(check, AUTHENTICATES, True)
    setattr(check, MAY_FORBID, True)
    return check


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


async def get_client_info(request: Request) -> ClientInfo:
    host = request.client.host if request.client else None
    return ClientInfo(ip=host, user_agent=request.headers.get("user-agent"))


Client = Annotated[ClientInfo, Depends(get_client_info)]


async def get_page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (≤100).")] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageQuery = Annotated[PageParams, Depends(get_page_params)]
