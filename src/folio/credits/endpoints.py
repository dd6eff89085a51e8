from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import BoundedDate
from folio.credits.models import CreditTransaction, TransactionKind
from folio.credits.schemas import (
    BalanceRead,
    CreditSettingsUpdate,
    GrantCreate,
    Granularity,
    TransactionRead,
    UsageRead,
)
from folio.credits.service import credit as credit_service

router = APIRouter(prefix="/api/v1/credits", tags=["credits"])
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]
SystemAdmin = Annotated[Principal, Depends(require(Permission.system_admin))]


@router.get(
    "/balance",
    response_model=BalanceRead,
    summary="The team's credit balance, this month's usage and auto-refill settings",
    responses=problems(401, 403),
)
async def get_balance(
    principal: DatasetsRead, session: DbSession, runtime: RuntimeDep
) -> BalanceRead:
    return await credit_service.balance(session, principal, runtime)


@router.patch(
    "/settings",
    response_model=BalanceRead,
    summary="Low-balance alert, monthly limit and auto-refill settings",
    responses=problems(401, 403, 422),
)
async def update_credit_settings(
    data: CreditSettingsUpdate, principal: TeamManage, session: DbSession, runtime: RuntimeDep
) -> BalanceRead:
    return await credit_service.update_settings(session, principal, runtime, data)


@router.get(
    "/transactions",
    response_model=Page[TransactionRead],
    summary="Usage, grants, refunds and refill requests, newest first",
    responses=problems(401, 403, 422),
)
async def list_transactions(
    principal: DatasetsRead,
    session: DbSession,
    runtime: RuntimeDep,
    page: PageQuery,
    kind: Annotated[TransactionKind | None, Query(alias="type")] = None,
    start_date: BoundedDate | None = None,
    end_date: BoundedDate | None = None,
):
    return await credit_service.transactions(
        session, principal, runtime, page, kind=kind, start=start_date, end=end_date
    )


@router.get(
    "/usage",
    response_model=UsageRead,
    summary="Credits used per day, week or month",
    responses=problems(401, 403, 422),
)
async def get_usage(
    principal: DatasetsRead,
    session: DbSession,
    granularity: Granularity = Granularity.day,
    start_date: BoundedDate | None = None,
    end_date: BoundedDate | None = None,
) -> UsageRead:
    return await credit_service.usage(
        session, principal, granularity=granularity, start=start_date, end=end_date
    )


@router.post(
    "/grants",
    status_code=201,
    response_model=TransactionRead,
    summary="Grant credits to a team (system administrators; purchases happen outside Folio)",
    responses=problems(401, 403, 404, 422),
)
async def grant_credits(
    data: GrantCreate, principal: SystemAdmin, session: DbSession, runtime: RuntimeDep
) -> CreditTransaction:
    return await credit_service.grant(session, principal, runtime, data)
