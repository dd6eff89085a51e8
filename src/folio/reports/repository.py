"""Reports and schedules of a team; the claim that gives a pending report to one builder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from folio.audit.models import AuditEntry
from folio.audit.repository import AuditRepository
from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document
from folio.documents.repository import DocumentRepository
from folio.reports.models import Report, ReportSchedule, ReportStatus
from folio.security_scans.models import SecurityEvent, SecurityEventType
from folio.security_scans.repository import SecurityEventRepository


class ReportRepository(TeamScopedRepository[Report]):
    model = Report

    async def waiting(self, now: datetime, limit: int) -> list[str]:
        """Every team's reports to build: pending, or building under a lapsed lease."""
        statement = (
            select(Report.id)
            .where(
                or_(
                    Report.status == ReportStatus.pending,
                    (Report.status == ReportStatus.building) & (Report.lease_expires_at < now),
                )
            )
            .order_by(Report.id)
            .limit(limit)
        )
        return list(await self.session.scalars(statement))

    async def add_for_slot(self, report: Report) -> bool:
        """False, adding nothing, when the report's schedule already has one for its period
        (the unique slot index); the rest of the unit of work goes on."""
        try:
            async with self.session.begin_nested():
                self.session.add(report)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[Report]:
        statement = self.readable(principal).where(Report.team_id == principal.team_id)
        return await self.page_before(statement, limit=limit, before=before)

    async def claim(self, owner: str, now: datetime, lease: timedelta) -> str | None:
        """The oldest pending report, or one whose builder's lease lapsed, becomes ``owner``'s
        (a compare-and-set: of two builders, one wins)."""
        candidate = await self.session.scalar(
            select(Report.id)
            .where(
                or_(
                    Report.status == ReportStatus.pending,
                    (Report.status == ReportStatus.building) & (Report.lease_expires_at < now),
                )
            )
            .order_by(Report.id)
            .limit(1)
        )
        if candidate is None:
            return None
        result = await self.session.execute(
            update(Report)
            .where(
                Report.id == candidate,
                or_(
                    Report.status == ReportStatus.pending,
                    (Report.status == ReportStatus.building) & (Report.lease_expires_at < now),
                ),
            )
            .values(
                status=ReportStatus.building,
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=Report.attempts + 1,
            )
        )
        return candidate if rowcount(result) == 1 else None

    async def held(self, report_id: str, owner: str) -> Report | None:
        """The report if ``owner`` still holds its build (system work: no principal)."""
        return await self.session.scalar(
            select(Report).where(
                Report.id == report_id,
                Report.lease_owner == owner,
                Report.status == ReportStatus.building,
            )
        )


class ScheduleRepository(TeamScopedRepository[ReportSchedule]):
    model = ReportSchedule

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[ReportSchedule]:
        statement = self.readable(principal).where(ReportSchedule.team_id == principal.team_id)
        return await self.page_after(statement, limit=limit, after=after)

    async def due(self, now: datetime, *, limit: int) -> Sequence[ReportSchedule]:
        """Every team's schedules whose time has come (the builder acts for the system),
        locked on PostgreSQL so two builders do not both run one."""
        statement = (
            select(ReportSchedule)
            .where(ReportSchedule.next_run_at <= now)
            .order_by(ReportSchedule.next_run_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self.get_all(statement)


class ReportSourceRepository(TeamScopedRepository[Report]):
    """Plain reads of other domains' rows for one team's report, through their repositories'
    team-scoped statements (the builder acts for the system, with the report's team)."""

    model = Report

    async def findings(
        self, team_id: str, kind: SecurityEventType, start: datetime, end: datetime, limit: int
    ) -> Sequence[SecurityEvent]:
        statement = (
            SecurityEventRepository.from_session(self.session)
            .owned_by(team_id)
            .where(
                SecurityEvent.type == kind,
                SecurityEvent.created_at >= start,
                SecurityEvent.created_at < end,
            )
            .order_by(SecurityEvent.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def audit_entries(
        self, team_id: str, start: datetime, end: datetime, limit: int
    ) -> Sequence[AuditEntry]:
        statement = (
            AuditRepository.from_session(self.session)
            .owned_by(team_id)
            .where(AuditEntry.created_at >= start, AuditEntry.created_at < end)
            .order_by(AuditEntry.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def filenames(self, team_id: str, document_ids: Sequence[str]) -> dict[str, str]:
        statement = (
            DocumentRepository.from_session(self.session)
            .owned_by(team_id)
            .with_only_columns(Document.id, Document.filename)
            .where(Document.id.in_(list(document_ids)))
        )
        return {row[0]: row[1] for row in (await self.session.execute(statement)).all()}
