from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import AwareDatetime
from folio.documents.schemas import DocumentId
from folio.pipeline.intelligence.types import Severity
from folio.security_scans.models import SecurityEventType
from folio.security_scans.repository import EventFilters
from folio.security_scans.schemas import ScanRequest, ScanResult, SecurityEventRead
from folio.security_scans.service import security_scan as security_scan_service

router = APIRouter(prefix="/api/v1/security", tags=["security"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


async def event_filters(
    document_id: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[
        list[Severity] | None, Query(description="One or more severities (repeat the parameter)")
    ] = None,
    min_severity: Annotated[Severity | None, Query(description="This severity or worse")] = None,
    event_type: Annotated[SecurityEventType | None, Query(alias="type")] = None,
    code: Annotated[str | None, Query(max_length=80, examples=["PDF_JAVASCRIPT"])] = None,
    created_after: AwareDatetime | None = None,
    created_before: AwareDatetime | None = None,
) -> EventFilters:
    allowed = set(severity) if severity else set(Severity)
    if min_severity is not None:
        ranks = list(Severity)
        allowed &= set(ranks[ranks.index(min_severity) :])
    return EventFilters(
        document_id=document_id,
        severities=frozenset(allowed) if severity or min_severity else None,
        type=event_type,
        code=code,
        created_after=created_after,
        created_before=created_before,
    )


Filters = Annotated[EventFilters, Depends(event_filters)]


@router.post(
    "/scan/{document_id}",
    response_model=ScanResult,
    summary="Scan a stored original: active content, macros, EICAR, archive ratio; PII; compliance",
    description="Threat checks read the original file; personal data and compliance indicators "
    "read the processed text (409 until the document is processed, unless `include_pii` is "
    "false and no framework is asked for). Every finding is recorded as a security event.",
    responses=problems(401, 403, 404, 409, 422),
)
async def scan_document(
    document_id: DocumentId,
    request: ScanRequest,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> ScanResult:
    return await security_scan_service.scan(session, principal, runtime, document_id, request)


@router.get(
    "/events",
    response_model=Page[SecurityEventRead],
    summary="Security events (threats, personal data, compliance indicators), newest first",
    responses=problems(401, 403, 422),
)
async def list_security_events(
    principal: DocumentsRead, session: DbSession, page: PageQuery, filters: Filters
) -> Page[SecurityEventRead]:
    return await security_scan_service.list_events(session, principal, filters, page)
