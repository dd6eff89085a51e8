from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from folio.core.deps import DbSession, RuntimeDep, require
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.usage.meter import UsageMeter
from folio.usage.quotas import current_period
from folio.usage.schemas import CurrentUsage
from folio.usage.service import usage as usage_service

router = APIRouter(prefix="/api/v1/usage", tags=["usage"])

AnalyticsRead = Annotated[Principal, Depends(require(Permission.analytics_read))]


async def get_meter(request: Request) -> UsageMeter:
    return request.app.state.usage_meter


Meter = Annotated[UsageMeter, Depends(get_meter)]


@router.get(
    "/current",
    response_model=CurrentUsage,
    summary="The team's usage this month against its quotas",
    responses=problems(401, 403, 429),
)
async def get_current_usage(
    principal: AnalyticsRead, session: DbSession, runtime: RuntimeDep, meter: Meter
) -> CurrentUsage:
    unflushed = meter.unflushed_calls(principal.team_id, current_period().start)
    return await usage_service.current(
        session, principal, runtime.settings, unflushed_api_calls=unflushed
    )
