"""The typed dependencies every router uses: runtime, DB session, principal, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Forbidden
from folio.core.pagination import MAX_LIMIT, PageParams, decode_cursor
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed before the response is sent."""
    async with runtime.db.session(write=request.method not in READ_METHODS) as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(request: Request) -> Principal:
    # Until accounts exist (identity issue), every caller acts for the default team.
    return request.app.state.default_principal  # type: ignore[no-any-return]


def require(permission: Permission) -> Callable[..., object]:
    async def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.can(permission):
            raise Forbidden(f"This action needs the permission {permission}.")
        return principal

    return check


def get_page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (≤100).")] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageQuery = Annotated[PageParams, Depends(get_page_params)]
