from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from folio.core.deps import DbSession, RuntimeDep, require
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import AwareDatetime
from folio.processing.schemas import (
    ConfigRead,
    OcrSettingsRead,
    OcrSettingsUpdate,
    ProcessingState,
    ProcessingStats,
    RerunRequest,
    RerunResult,
    StartRequest,
    SystemInfo,
)
from folio.processing.service import processing as processing_service

router = APIRouter(prefix="/api/v1/processing", tags=["processing"])

# the pool serves every team on this server; its switch is for system administrators
SystemAdmin = Annotated[Principal, Depends(require(Permission.system_admin))]
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]


@router.get(
    "",
    response_model=ProcessingState,
    summary="Whether this server's workers take queued documents",
    responses=problems(401, 403, 409),
)
async def get_processing_state(principal: SystemAdmin, runtime: RuntimeDep) -> ProcessingState:
    return processing_service.state(runtime)


@router.post(
    "/start",
    response_model=ProcessingState,
    summary="Start taking queued documents, on some or all workers",
    responses=problems(401, 403, 409, 422),
)
async def start_processing(
    data: StartRequest, principal: SystemAdmin, runtime: RuntimeDep
) -> ProcessingState:
    return processing_service.start(runtime, data)


@router.post(
    "/stop",
    response_model=ProcessingState,
    summary="Stop taking queued documents; running ones finish",
    responses=problems(401, 403, 409),
)
async def stop_processing(principal: SystemAdmin, runtime: RuntimeDep) -> ProcessingState:
    return processing_service.stop(runtime)


@router.get(
    "/stats",
    response_model=ProcessingStats,
    summary="Live figures of the team's documents: totals, running, current file",
    responses=problems(401, 403, 422),
)
async def get_processing_stats(
    principal: TeamManage,
    session: DbSession,
    runtime: RuntimeDep,
    batch_id: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[AwareDatetime | None, Query(description="Documents created since")] = None,
) -> ProcessingStats:
    return await processing_service.stats(
        session, principal, runtime, batch_id=batch_id, since=since
    )


@router.post(
    "/rerun-failed",
    response_model=RerunResult,
    summary="Queue the team's failed documents again",
    responses=problems(401, 403, 422),
)
async def rerun_failed_documents(
    data: RerunRequest, principal: TeamManage, session: DbSession, runtime: RuntimeDep
) -> RerunResult:
    return await processing_service.rerun_failed(
        session, principal, runtime, batch_id=data.batch_id
    )


@router.get(
    "/ocr-mode",
    response_model=OcrSettingsRead,
    summary="The team's default OCR mode and engine for uploads that do not choose",
    responses=problems(401, 403),
)
async def get_ocr_mode(principal: TeamManage, session: DbSession) -> OcrSettingsRead:
    return await processing_service.ocr_settings(session, principal)


@router.put(
    "/ocr-mode",
    response_model=OcrSettingsRead,
    summary="Choose the team's default OCR mode (auto, force, off) and engine",
    responses=problems(401, 403, 422),
)
async def set_ocr_mode(
    data: OcrSettingsUpdate, principal: TeamManage, session: DbSession
) -> OcrSettingsRead:
    return await processing_service.update_ocr_settings(session, principal, data)


@router.get(
    "/system-info",
    response_model=SystemInfo,
    summary="OCR engines and versions, CPU, memory, GPU and workers of this server",
    responses=problems(401, 403),
)
async def get_system_info(principal: SystemAdmin, runtime: RuntimeDep) -> SystemInfo:
    return await processing_service.system_info(runtime)


@router.get(
    "/config",
    response_model=ConfigRead,
    summary="The processing configuration in effect, with the team's OCR defaults",
    responses=problems(401, 403),
)
async def get_processing_config(
    principal: TeamManage, session: DbSession, runtime: RuntimeDep
) -> ConfigRead:
    return await processing_service.config(session, principal, runtime)
