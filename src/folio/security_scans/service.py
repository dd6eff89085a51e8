"""Security scans of stored originals, and the log of what scans and processing found."""

from __future__ import annotations

import time
from collections.abc import Sequence

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.events.service import event as event_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import (
    PII_TYPES,
    ComplianceFinding,
    Intelligence,
    PiiReport,
    SecurityReport,
    check_compliance,
    detect_pii,
    extract_entities,
    scan_security,
)
from folio.pipeline.intelligence.types import RiskLevel, Severity
from folio.security_scans.findings import (
    Finding,
    compliance_findings,
    pii_findings,
    threat_findings,
)
from folio.security_scans.models import SecurityEvent
from folio.security_scans.repository import EventFilters, SecurityEventRepository
from folio.security_scans.schemas import PiiSummary, ScanRequest, ScanResult, SecurityEventRead

ALERT_SEVERITIES = frozenset({Severity.medium, Severity.high, Severity.critical})


def _analyse(
    result: DocumentResult | None, request: ScanRequest
) -> tuple[PiiReport | None, list[ComplianceFinding]]:
    """PII and compliance on the processed text (runs in a worker thread)."""
    if result is None:
        return None, []
    types = set(PII_TYPES) if not request.compliance_frameworks else None
    entities = extract_entities(result, types=types)
    pii = detect_pii(result, entities=entities) if request.include_pii else None
    frameworks = list(request.compliance_frameworks)
    return pii, check_compliance(result, entities, frameworks) if frameworks else []


class SecurityScanService:
    async def scan(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        request: ScanRequest,
    ) -> ScanResult:
        started = time.perf_counter()
        document = await document_service.get(session, principal, document_id)
        result = None
        if request.include_pii or request.compliance_frameworks:  # these read the text
            result = await document_service.pipeline_result_of(session, document)
        document_service.require_original(document)
        path = runtime.storage.local_path(document.blob_key)
        report = await anyio.to_thread.run_sync(
            lambda: scan_security(
                path, document.mime_type, extension_mismatch=document.extension_mismatch
            )
        )
        pii, compliance = await anyio.to_thread.run_sync(lambda: _analyse(result, request))
        scan_id = new_id(IdPrefix.security_scan)
        findings = threat_findings(report) + pii_findings(pii) + compliance_findings(compliance)
        await self._record(session, runtime, document, findings, origin="scan", scan_id=scan_id)
        return ScanResult(
            scan_id=scan_id,
            document_id=document.id,
            clean=not findings,
            risk_level=self._overall(report, pii),
            security=report,
            pii=PiiSummary.model_validate(pii.model_dump()) if pii else None,
            compliance=compliance,
            events_recorded=len(findings),
            scan_time_ms=int(1000 * (time.perf_counter() - started)),
            completed_at=utcnow(),
        )

    def _overall(self, report: SecurityReport, pii: PiiReport | None) -> RiskLevel:
        order = list(RiskLevel)
        levels = [report.risk_level] + ([pii.risk_level] if pii else [])
        return max(levels, key=order.index)

    async def record_processing(
        self, session: AsyncSession, runtime: Runtime, document: Document
    ) -> None:
        """Findings of the analysis that processing just recorded (the runner's transaction)."""
        if document.intelligence is None:
            return
        intelligence = Intelligence.model_validate(document.intelligence)
        findings = (
            threat_findings(intelligence.security)
            + pii_findings(intelligence.pii)
            + compliance_findings(intelligence.compliance)
        )
        await self._record(session, runtime, document, findings, origin="processing")

    async def _record(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document,
        findings: Sequence[Finding],
        *,
        origin: str,
        scan_id: str | None = None,
    ) -> None:
        rows = [
            SecurityEvent(
                id=new_id(IdPrefix.security_event),
                team_id=document.team_id,
                document_id=document.id,
                document_version=document.version or None,
                scan_id=scan_id,
                origin=origin,
                type=f.type,
                code=f.code,
                severity=f.severity,
                message=f.message,
                details=f.details,
            )
            for f in findings
        ]
        if not rows:
            return
        await SecurityEventRepository.from_session(session).add_all(rows)
        alerts = [r for r in rows if r.type == "threat" and r.severity in ALERT_SEVERITIES]
        if alerts:
            await event_service.emit(session, runtime, self._alert(document, alerts, scan_id))

    def _alert(self, document: Document, alerts: list[SecurityEvent], scan_id: str | None) -> Event:
        return Event(
            type="security.threat_detected",
            team_id=document.team_id,
            data={
                "document_id": document.id,
                "scan_id": scan_id,
                "codes": sorted({a.code for a in alerts}),
                "severity": max((a.severity for a in alerts), key=list(Severity).index),
                "security_event_ids": [a.id for a in alerts],
            },
        )

    async def list_events(
        self,
        session: AsyncSession,
        principal: Principal,
        filters: EventFilters,
        page: PageParams,
    ) -> Page[SecurityEventRead]:
        rows = await SecurityEventRepository.from_session(session).list_page(
            principal, filters, limit=page.limit, before=page.after
        )
        return Page[SecurityEventRead].from_rows(rows, page.limit, cursor=lambda e: e.id)


security_scan = SecurityScanService()
