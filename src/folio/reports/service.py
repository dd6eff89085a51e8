"""Reports of a team: asked for, polled, downloaded, deleted; and their schedules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession

from folio.analytics.periods import resolve_period
from folio.core.db import after_commit, utcnow
from folio.core.errors import Conflict, Forbidden, NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.reports.models import Report, ReportKind, ReportSchedule, ReportStatus
from folio.reports.repository import ReportRepository, ScheduleRepository
from folio.reports.schedule import next_run
from folio.reports.schemas import ReportCreate, ReportRead, ScheduleCreate, ScheduleRead

BUILDER = "report_builder"  # runtime.state key of the running builder, woken on a request
WAIT_STEP_S = 0.2
FINAL = {ReportStatus.ready, ReportStatus.failed}
# what a report reveals beyond usage figures needs the permission that reads it directly
KIND_PERMISSION = {
    ReportKind.audit: Permission.audit_read,
    ReportKind.compliance: Permission.documents_read,
    ReportKind.pii_inventory: Permission.documents_read,
}


def read(report: Report) -> ReportRead:
    ready = report.status is ReportStatus.ready
    return ReportRead(
        id=report.id,
        team_id=report.team_id,
        kind=report.kind,
        format=report.format,
        status=report.status,
        period_start=report.period_start,
        period_end=report.period_end,
        created_at=report.created_at,
        ready_at=report.ready_at,
        bytes=report.bytes,
        error_message=report.error_message,
        schedule_id=report.schedule_id,
        status_url=f"/api/v1/reports/{report.id}",
        download_url=f"/api/v1/reports/{report.id}/download" if ready else None,
    )


def wake_builder(session: AsyncSession, runtime: Runtime) -> None:
    builder = runtime.state.get(BUILDER)
    if builder is None:
        return

    async def wake() -> None:
        builder.wake()

    after_commit(session, wake)


def check_kind(principal: Principal, kind: ReportKind) -> None:
    needed = KIND_PERMISSION.get(kind)
    if needed is not None and not principal.can(needed):
        raise Forbidden(f"A {kind} report needs the permission {needed}.")


class ReportService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: ReportCreate
    ) -> ReportRead:
        check_kind(principal, data.kind)
        period = resolve_period(data.period, data.start, data.end)
        report = Report(
            id=new_id(IdPrefix.report),
            team_id=principal.team_id,
            kind=data.kind,
            format=data.format,
            period_start=period.start,
            period_end=period.end,
            created_by=principal.user_id or principal.key_id,
            recipients=[str(r) for r in data.recipients],
            status=ReportStatus.pending,
            attempts=0,
        )
        await ReportRepository.from_session(session).create(report, flush=True)
        wake_builder(session, runtime)
        return read(report)

    async def get(
        self, runtime: Runtime, principal: Principal, report_id: str, *, wait_s: float = 0
    ) -> ReportRead:
        """Long poll: a fresh read per look, so the builder's commit becomes visible."""
        deadline = time.monotonic() + min(wait_s, runtime.settings.long_poll_max_s)
        while True:
            async with runtime.db.session(write=False) as session:
                report = await self._get(session, principal, report_id)
            if report.status in FINAL or time.monotonic() >= deadline:
                return read(report)
            await asyncio.sleep(WAIT_STEP_S)

    async def _get(self, session: AsyncSession, principal: Principal, report_id: str) -> Report:
        report = await ReportRepository.from_session(session).get(principal, report_id)
        if report is None:
            raise NotFound(f"No report {report_id}.")
        return report

    async def list_reports(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ReportRead]:
        rows = await ReportRepository.from_session(session).list_page(
            principal, limit=page.limit, before=page.after
        )
        return Page.from_rows([read(r) for r in rows], page.limit, cursor=lambda r: r.id)

    async def download(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, report_id: str
    ) -> tuple[Report, Iterator[bytes]]:
        report = await self._get(session, principal, report_id)
        if report.status is not ReportStatus.ready or report.blob_key is None:
            raise Conflict(f"The report is {report.status}, not ready.")
        return report, runtime.storage.iter_chunks(report.blob_key)

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, report_id: str
    ) -> None:
        report = await self._get(session, principal, report_id)
        mine = report.created_by in {principal.user_id, principal.key_id} - {None}
        if not mine and not principal.can(Permission.team_manage):
            raise Forbidden("Only who asked for a report, or a team manager, deletes it.")
        if report.status is ReportStatus.building:
            raise Conflict("The report is being built; delete it when it is ready.")
        key = report.blob_key
        await session.delete(report)
        if key is not None:

            async def remove() -> None:
                runtime.storage.delete(key)

            after_commit(session, remove)

    # ---- schedules ------------------------------------------------------------------------

    async def create_schedule(
        self, session: AsyncSession, principal: Principal, data: ScheduleCreate
    ) -> ReportSchedule:
        check_kind(principal, data.kind)
        schedule = ReportSchedule(
            id=new_id(IdPrefix.report_schedule),
            team_id=principal.team_id,
            kind=data.kind,
            format=data.format,
            cadence=data.cadence,
            recipients=[str(r) for r in data.recipients],
            created_by=principal.user_id or principal.key_id,
            next_run_at=next_run(data.cadence, utcnow()),
        )
        return await ScheduleRepository.from_session(session).create(schedule, flush=True)

    async def list_schedules(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ScheduleRead]:
        rows = await ScheduleRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        views = [ScheduleRead.model_validate(row) for row in rows]
        return Page.from_rows(views, page.limit, cursor=lambda s: s.id)

    async def delete_schedule(
        self, session: AsyncSession, principal: Principal, schedule_id: str
    ) -> None:
        schedule = await ScheduleRepository.from_session(session).get(principal, schedule_id)
        if schedule is None:
            raise NotFound(f"No report schedule {schedule_id}.")
        await session.delete(schedule)


report = ReportService()
