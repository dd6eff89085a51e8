"""Reading the audit trail: filtered pages and streamed exports, always within the team."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from folio.audit.models import AuditEntry
from folio.audit.repository import AuditFilters, AuditRepository
from folio.audit.schemas import AuditEntryRead, ExportFormat
from folio.core.db import Database, utcnow
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.pipeline.cells import inert_row

AUDIT_PREFIX = "aud"
EXPORT_BATCH = 500
CSV_COLUMNS = list(AuditEntryRead.model_fields)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def new_audit_id() -> str:
    return f"{AUDIT_PREFIX}_{str(ULID()).lower()}"


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # a spreadsheet must not run a formula planted in a user agent or a field name
    return "'" + text if text.startswith(FORMULA_START) else text


class AuditService:
    def record(self, session: AsyncSession, **values: object) -> None:
        """An entry a service writes in its own unit of work, for what the request log
        cannot tell: who signed in through single sign-on, to which team."""
        session.add(AuditEntry(id=new_audit_id(), created_at=utcnow(), **values))

    def record_automation_step(
        self,
        session: AsyncSession,
        *,
        team_id: str,
        author_id: str | None,
        rule_id: str,
        run_id: str,
        kind: str,
        document_id: str | None,
    ) -> None:
        """An automation rule's action, in the unit of work that did it: the actor is the
        rule (its author named), the request id the run's."""
        session.add(
            AuditEntry(
                id=new_audit_id(),
                team_id=team_id,
                actor_type="automation",
                actor_user_id=author_id,
                action=f"automations.{kind}",
                resource_type="document" if document_id else "automation",
                resource_id=document_id or rule_id,
                method="RULE",
                route=f"/api/v1/automations/{rule_id}",
                status_code=200,
                outcome="success",
                request_id=run_id,
                changed_fields=[kind],
            )
        )

    async def list_entries(
        self,
        session: AsyncSession,
        principal: Principal,
        filters: AuditFilters,
        page: PageParams,
    ) -> Page[AuditEntry]:
        rows = await AuditRepository.from_session(session).list_page(
            principal, filters, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda entry: entry.id)

    async def export(
        self, db: Database, principal: Principal, filters: AuditFilters, fmt: ExportFormat
    ) -> AsyncIterator[str]:
        """Every matching entry, newest first, in batches that each use a short read session
        (the response streams after the request's own session has closed)."""
        first = True
        if fmt is ExportFormat.csv:
            yield self._csv_line(CSV_COLUMNS)
        else:
            yield "["
        async for entry in self._entries(db, principal, filters):
            record = AuditEntryRead.model_validate(entry)
            if fmt is ExportFormat.csv:
                data = record.model_dump()
                yield self._csv_line([csv_cell(data[column]) for column in CSV_COLUMNS])
            else:
                yield ("\n" if first else ",\n") + record.model_dump_json()
            first = False
        if fmt is ExportFormat.json:
            yield "\n]\n"

    async def _entries(
        self, db: Database, principal: Principal, filters: AuditFilters
    ) -> AsyncIterator[AuditEntry]:
        before: str | None = None
        while True:
            async with db.session(write=False) as session:
                rows = await AuditRepository.from_session(session).list_page(
                    principal, filters, limit=EXPORT_BATCH, before=before
                )
            for entry in rows[:EXPORT_BATCH]:
                yield entry
            if len(rows) <= EXPORT_BATCH:
                return
            before = rows[EXPORT_BATCH - 1].id

    @staticmethod
    def _csv_line(values: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(inert_row(values))
        return buffer.getvalue()


audit = AuditService()
