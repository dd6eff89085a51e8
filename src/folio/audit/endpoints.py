from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from folio.audit.actions import Outcome
from folio.audit.recorder import ActivityRecorder
from folio.audit.repository import AuditFilters
from folio.audit.schemas import AuditEntryRead, ExportFormat
from folio.audit.service import audit as audit_service
from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import AwareDatetime

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

AuditRead = Annotated[Principal, Depends(require(Permission.audit_read))]
EXPORT_MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.json: "application/json",
}


async def flushed_recorder(request: Request) -> ActivityRecorder:
    """Writes the buffered entries first, so a caller reads its own writes."""
    recorder: ActivityRecorder = request.app.state.activity
    await recorder.flush()
    return recorder


Flushed = Annotated[ActivityRecorder, Depends(flushed_recorder)]


async def audit_filters(
    actor: Annotated[str | None, Query(max_length=40, description="A user id or key id")] = None,
    action: Annotated[
        str | None,
        Query(max_length=120, description='Exact ("documents.create") or prefix ("documents.*")'),
    ] = None,
    resource_type: Annotated[str | None, Query(max_length=60)] = None,
    resource_id: Annotated[str | None, Query(max_length=120)] = None,
    outcome: Outcome | None = None,
    created_after: AwareDatetime | None = None,
    created_before: AwareDatetime | None = None,
) -> AuditFilters:
    return AuditFilters(
        actor=actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        outcome=outcome.value if outcome else None,
        created_after=created_after,
        created_before=created_before,
    )


Filters = Annotated[AuditFilters, Depends(audit_filters)]


@router.get(
    "/logs",
    response_model=Page[AuditEntryRead],
    summary="List the team's audit entries, newest first",
    responses=problems(401, 403, 422, 429),
)
async def list_audit_logs(
    principal: AuditRead, session: DbSession, page: PageQuery, filters: Filters, _: Flushed
):
    return await audit_service.list_entries(session, principal, filters, page)


@router.get(
    "/logs/export",
    response_class=StreamingResponse,
    summary="Export the team's audit entries as CSV or JSON (streamed)",
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}},
        **problems(401, 403, 422, 429),
    },
)
async def export_audit_logs(
    principal: AuditRead,
    runtime: RuntimeDep,
    filters: Filters,
    _: Flushed,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.csv,
) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return file_download(
        audit_service.export(runtime.db, principal, filters, export_format),
        media_type=EXPORT_MEDIA_TYPES[export_format],
        filename=f"audit-{stamp}.{export_format}",
    )
