from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from folio.core.deps import Authenticated, DbSession, RuntimeDep, require
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.events.schemas import EventRead
from folio.system.schemas import (
    BroadcastCreate,
    Health,
    Liveness,
    MaintenanceCreate,
    MaintenanceRead,
    Readiness,
    SigningKeys,
    SystemStatus,
)
from folio.system.service import system as system_service

router = APIRouter(tags=["system"])
admin_router = APIRouter(prefix="/api/v1/system", tags=["system"])
SystemAdmin = Annotated[Principal, Depends(require(Permission.system_admin))]


@router.get(
    "/health",
    response_model=Health,
    summary="Health of database, storage, workers and OCR engines",
    responses={503: {"model": Health, "description": "Failing"}},
)
async def get_health(runtime: RuntimeDep) -> JSONResponse:
    health = await system_service.health(runtime)
    status_code = 503 if health.status == "failing" else 200
    return JSONResponse(health.model_dump(mode="json"), status_code=status_code)


@router.get(
    "/health/live",
    response_model=Liveness,
    summary="Liveness: the process answers (restart it when this fails)",
)
async def get_liveness() -> Liveness:
    return system_service.live()


@router.get(
    "/health/ready",
    response_model=Readiness,
    summary="Readiness: database, storage, disk, queue, workers (Redis, Celery); degraded or not",
    responses={503: {"model": Readiness, "description": "Failing: take it out of rotation"}},
)
async def get_readiness(runtime: RuntimeDep) -> JSONResponse:
    readiness = await system_service.ready(runtime)
    status_code = 503 if readiness.status == "failing" else 200
    return JSONResponse(readiness.model_dump(mode="json"), status_code=status_code)


@admin_router.get(
    "/status",
    response_model=SystemStatus,
    summary="This process's status and the maintenance notice in force",
    responses=problems(401, 403),
)
async def get_system_status(principal: SystemAdmin, session: DbSession, runtime: RuntimeDep):
    return await system_service.status(session, runtime)


@admin_router.post(
    "/status/announce",
    response_model=SystemStatus,
    summary="Send the current status to everyone as a system.status event",
    responses=problems(401, 403),
)
async def announce_system_status(principal: SystemAdmin, session: DbSession, runtime: RuntimeDep):
    return await system_service.announce_status(session, runtime, principal)


@admin_router.get(
    "/maintenance",
    response_model=MaintenanceRead,
    summary="The maintenance notice in force, if any",
    responses=problems(401),
)
async def get_maintenance(principal: Authenticated, session: DbSession):
    return await system_service.maintenance(session)


@admin_router.post(
    "/maintenance",
    response_model=MaintenanceRead,
    summary="Announce maintenance (or its end) to everyone: system.maintenance",
    responses=problems(401, 403, 422),
)
async def announce_maintenance(
    data: MaintenanceCreate, principal: SystemAdmin, session: DbSession, runtime: RuntimeDep
):
    return await system_service.announce_maintenance(session, runtime, principal, data)


@admin_router.post(
    "/broadcasts",
    status_code=201,
    response_model=EventRead,
    summary="A message to every user: system.broadcast over WebSocket and as notifications",
    responses=problems(401, 403, 422),
)
async def create_broadcast(
    data: BroadcastCreate, principal: SystemAdmin, session: DbSession, runtime: RuntimeDep
):
    return await system_service.broadcast(session, runtime, principal, data)


@admin_router.get(
    "/signing-keys",
    response_model=SigningKeys,
    summary="The JWT signing keys: the current one and retired ones still verifying",
    responses=problems(401, 403),
)
async def list_signing_keys(principal: SystemAdmin, runtime: RuntimeDep):
    return system_service.signing_keys(runtime)


@admin_router.post(
    "/signing-keys/rotate",
    response_model=SigningKeys,
    summary="Sign new tokens with a fresh key; older tokens verify until they expire",
    responses=problems(401, 403, 409),
)
async def rotate_signing_key(principal: SystemAdmin, runtime: RuntimeDep):
    return await system_service.rotate_signing_key(runtime)
