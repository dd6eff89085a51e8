from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.reports.models import ReportSchedule
from folio.reports.render import MEDIA_TYPES
from folio.reports.schemas import ReportCreate, ReportRead, ScheduleCreate, ScheduleRead
from folio.reports.service import report as report_service

router = APIRouter(prefix="/api/v1", tags=["reports"])

AnalyticsRead = Annotated[Principal, Depends(require(Permission.analytics_read))]
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]


@router.post(
    "/reports",
    status_code=202,
    response_model=ReportRead,
    summary="Ask for a report (usage, performance, compliance, audit, PII inventory)",
    responses=problems(401, 403, 422),
)
async def create_report(
    data: ReportCreate, principal: AnalyticsRead, session: DbSession, runtime: RuntimeDep
) -> ReportRead:
    return await report_service.create(session, principal, runtime, data)


@router.get(
    "/reports",
    response_model=Page[ReportRead],
    summary="The team's reports, newest first",
    responses=problems(401, 403),
)
async def list_reports(
    principal: AnalyticsRead, session: DbSession, page: PageQuery
) -> Page[ReportRead]:
    return await report_service.list_reports(session, principal, page)


@router.get(
    "/reports/{report_id}",
    response_model=ReportRead,
    summary="A report's status; ?wait=SECONDS long-polls until it is ready or failed",
    responses=problems(401, 403, 404),
)
async def get_report(
    report_id: str,
    principal: AnalyticsRead,
    runtime: RuntimeDep,
    wait: Annotated[float, Query(ge=0, le=3600, description="Seconds to wait for ready")] = 0,
) -> ReportRead:
    return await report_service.get(runtime, principal, report_id, wait_s=wait)


@router.get(
    "/reports/{report_id}/download",
    response_class=StreamingResponse,
    summary="Stream the report file",
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}},
        **problems(401, 403, 404, 409),
    },
)
async def download_report(
    report_id: str, principal: AnalyticsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    found, chunks = await report_service.download(session, principal, runtime, report_id)
    return file_download(
        chunks,
        media_type=MEDIA_TYPES[found.format],
        filename=f"{found.kind}_{found.period_start}_{found.period_end}.{found.format}",
        size=found.bytes,
    )


@router.delete(
    "/reports/{report_id}",
    status_code=204,
    summary="Delete a report and its file",
    responses=problems(401, 403, 404, 409),
)
async def delete_report(
    report_id: str, principal: AnalyticsRead, session: DbSession, runtime: RuntimeDep
) -> Response:
    await report_service.delete(session, principal, runtime, report_id)
    return Response(status_code=204)


@router.post(
    "/report-schedules",
    status_code=201,
    response_model=ScheduleRead,
    summary="Make a report every week or month and mail it to a list",
    responses=problems(401, 403, 422),
)
async def create_report_schedule(
    data: ScheduleCreate, principal: TeamManage, session: DbSession
) -> ReportSchedule:
    return await report_service.create_schedule(session, principal, data)


@router.get(
    "/report-schedules",
    response_model=Page[ScheduleRead],
    summary="The team's report schedules",
    responses=problems(401, 403),
)
async def list_report_schedules(
    principal: TeamManage, session: DbSession, page: PageQuery
) -> Page[ScheduleRead]:
    return await report_service.list_schedules(session, principal, page)


@router.delete(
    "/report-schedules/{schedule_id}",
    status_code=204,
    summary="Stop a report schedule",
    responses=problems(401, 403, 404),
)
async def delete_report_schedule(
    schedule_id: str, principal: TeamManage, session: DbSession
) -> Response:
    await report_service.delete_schedule(session, principal, schedule_id)
    return Response(status_code=204)
