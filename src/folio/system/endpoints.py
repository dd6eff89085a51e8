from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from folio.core.deps import RuntimeDep
from folio.system.schemas import Health
from folio.system.service import system as system_service

router = APIRouter(tags=["system"])


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
