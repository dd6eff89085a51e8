from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import BoundedDate
from folio.keys.schemas import KeyCreate, KeyCreated, KeyRead, KeyRotate, KeyUpdate
from folio.keys.service import key as key_service
from folio.usage.schemas import KeyUsage

router = APIRouter(prefix="/api/v1/keys", tags=["api keys"])
KeysManage = Annotated[Principal, Depends(require(Permission.keys_manage))]


@router.post(
    "",
    status_code=201,
    response_model=KeyCreated,
    summary="Create an API key (the full key is shown once)",
    responses=problems(401, 403, 409, 422),
)
async def create_key(
    data: KeyCreate, principal: KeysManage, session: DbSession, runtime: RuntimeDep
) -> KeyCreated:
    return await key_service.create(session, principal, runtime.settings, data)


@router.get(
    "",
    response_model=Page[KeyRead],
    summary="List API keys (masked)",
    responses=problems(401, 403, 422),
)
async def list_keys(principal: KeysManage, session: DbSession, page: PageQuery) -> Page[KeyRead]:
    return await key_service.list_keys(session, principal, page)


@router.get(
    "/{key_id}",
    response_model=KeyRead,
    summary="Get an API key (masked)",
    responses=problems(401, 403, 404),
)
async def get_key(key_id: str, principal: KeysManage, session: DbSession) -> KeyRead:
    return await key_service.get(session, principal, key_id)


@router.patch(
    "/{key_id}",
    response_model=KeyRead,
    summary="Update name, scopes, rate limit, expiry or active flag",
    responses=problems(401, 403, 404, 422),
)
async def update_key(
    key_id: str, data: KeyUpdate, principal: KeysManage, session: DbSession, runtime: RuntimeDep
) -> KeyRead:
    return await key_service.update(session, principal, runtime.settings, key_id, data)


@router.post(
    "/{key_id}/rotate",
    status_code=201,
    response_model=KeyCreated,
    summary="Replace a key; the old one works for a grace period",
    responses=problems(401, 403, 404, 422),
)
async def rotate_key(
    key_id: str, principal: KeysManage, session: DbSession, data: KeyRotate | None = None
) -> KeyCreated:
    return await key_service.rotate(session, principal, key_id, data or KeyRotate())


@router.delete(
    "/{key_id}", status_code=204, summary="Revoke an API key", responses=problems(401, 403, 404)
)
async def revoke_key(key_id: str, principal: KeysManage, session: DbSession) -> Response:
    await key_service.revoke(session, principal, key_id)
    return Response(status_code=204)


@router.get(
    "/{key_id}/usage",
    response_model=KeyUsage,
    summary="Requests, errors, latency, top endpoints and a daily series for a key",
    responses=problems(401, 403, 404, 422),
)
async def get_key_usage(
    key_id: str,
    principal: KeysManage,
    session: DbSession,
    start: Annotated[BoundedDate | None, Query(description="Default: 30 days before end")] = None,
    end: Annotated[BoundedDate | None, Query(description="Inclusive; default: today (UTC)")] = None,
) -> KeyUsage:
    return await key_service.usage(session, principal, key_id, start=start, end=end)
