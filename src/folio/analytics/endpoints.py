from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from folio.analytics.periods import resolve_period
from folio.analytics.schemas import (
    Dashboard,
    Granularity,
    PerformanceReport,
    Period,
    QualityReport,
    UsageGroup,
    UsageReport,
)
from folio.analytics.service import Scope, team_scope
from folio.analytics.service import analytics as analytics_service
from folio.core.deps import DbSession, require
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import BoundedDate

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
admin_router = APIRouter(prefix="/api/v1/admin/analytics", tags=["analytics"])

AnalyticsRead = Annotated[Principal, Depends(require(Permission.analytics_read))]
SystemAdmin = Annotated[Principal, Depends(require(Permission.system_admin))]
TEAM_PROBLEMS = problems(401, 403, 404, 422)
ADMIN_PROBLEMS = problems(401, 403, 422)


async def period_query(
    request: Request,
    period: Annotated[
        str | None,
        Query(max_length=20, description="Nd (last N days), this_month, last_month, this_week …"),
    ] = None,
    start: Annotated[BoundedDate | None, Query(description="First UTC day, inclusive")] = None,
    end: Annotated[BoundedDate | None, Query(description="Last UTC day, inclusive")] = None,
) -> Period:
    resolved = resolve_period(period, start, end)
    await request.app.state.activity.flush()  # the caller's own requests count
    return resolved


PeriodDep = Annotated[Period, Depends(period_query)]
TeamQuery = Annotated[
    str | None, Query(max_length=40, description="Another team the caller may read")
]


async def scope_for_team(principal: AnalyticsRead, team_id: TeamQuery = None) -> Scope:
    return team_scope(principal, team_id)


async def scope_for_admin(
    principal: SystemAdmin,
    team_id: Annotated[str | None, Query(max_length=40, description="Default: every team")] = None,
) -> Scope:
    return Scope(team_id)


TeamScope = Annotated[Scope, Depends(scope_for_team)]
AdminScope = Annotated[Scope, Depends(scope_for_admin)]
GranularityQuery = Annotated[Granularity, Query()]
GroupQuery = Annotated[UsageGroup, Query()]


@router.get(
    "/usage",
    response_model=UsageReport,
    summary="Documents, pages, API calls and storage by day/week/month and by user/key/type",
    responses=TEAM_PROBLEMS,
)
async def get_usage(
    scope: TeamScope,
    period: PeriodDep,
    session: DbSession,
    granularity: GranularityQuery = Granularity.day,
    group_by: GroupQuery = UsageGroup.none,
) -> UsageReport:
    return await analytics_service.usage(
        session, scope, period, granularity=granularity, group_by=group_by
    )


@router.get(
    "/performance",
    response_model=PerformanceReport,
    summary="Latency percentiles per route and processing time per page by document kind",
    responses=TEAM_PROBLEMS,
)
async def get_performance(
    scope: TeamScope, period: PeriodDep, session: DbSession
) -> PerformanceReport:
    return await analytics_service.performance(session, scope, period)


@router.get(
    "/quality",
    response_model=QualityReport,
    summary="OCR confidence, low-confidence fields, corrections and classifier accuracy",
    responses=TEAM_PROBLEMS,
)
async def get_quality(scope: TeamScope, period: PeriodDep, session: DbSession) -> QualityReport:
    return await analytics_service.quality(session, scope, period)


@router.get(
    "/dashboard",
    response_model=Dashboard,
    summary="Usage, performance and quality in one call",
    responses=TEAM_PROBLEMS,
)
async def get_dashboard(scope: TeamScope, period: PeriodDep, session: DbSession) -> Dashboard:
    return await analytics_service.dashboard(session, scope, period)


@admin_router.get(
    "/usage",
    response_model=UsageReport,
    summary="System admins: usage of every team, or of one",
    responses=ADMIN_PROBLEMS,
)
async def get_system_usage(
    scope: AdminScope,
    period: PeriodDep,
    session: DbSession,
    granularity: GranularityQuery = Granularity.day,
    group_by: GroupQuery = UsageGroup.none,
) -> UsageReport:
    return await analytics_service.usage(
        session, scope, period, granularity=granularity, group_by=group_by
    )


@admin_router.get(
    "/performance",
    response_model=PerformanceReport,
    summary="System admins: performance of every team, or of one",
    responses=ADMIN_PROBLEMS,
)
async def get_system_performance(
    scope: AdminScope, period: PeriodDep, session: DbSession
) -> PerformanceReport:
    return await analytics_service.performance(session, scope, period)


@admin_router.get(
    "/quality",
    response_model=QualityReport,
    summary="System admins: quality of every team, or of one",
    responses=ADMIN_PROBLEMS,
)
async def get_system_quality(
    scope: AdminScope, period: PeriodDep, session: DbSession
) -> QualityReport:
    return await analytics_service.quality(session, scope, period)


@admin_router.get(
    "/dashboard",
    response_model=Dashboard,
    summary="System admins: the dashboard of every team, or of one",
    responses=ADMIN_PROBLEMS,
)
async def get_system_dashboard(
    scope: AdminScope, period: PeriodDep, session: DbSession
) -> Dashboard:
    return await analytics_service.dashboard(session, scope, period)
