from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from folio.core.schemas import Schema
from folio.documents.schemas import ComplianceFramework
from folio.pipeline.intelligence import ComplianceFinding, SecurityReport
from folio.pipeline.intelligence.types import RiskLevel, Severity
from folio.security_scans.models import SecurityEventType


class ScanRequest(Schema):
    compliance_frameworks: list[ComplianceFramework] = Field(
        default_factory=list,
        max_length=4,
        description="Compliance packs to check (indicators, not legal advice)",
    )
    include_pii: bool = Field(
        default=True, description="Also look for personal data (needs the processed text)"
    )


class PiiSummary(Schema):
    pii_detected: bool
    risk_level: RiskLevel
    counts: dict[str, int]
    types: list[str]


class ScanResult(Schema):
    scan_id: str
    document_id: str
    clean: bool = Field(description="No threat, no personal data and no compliance indicator")
    risk_level: RiskLevel
    security: SecurityReport
    pii: PiiSummary | None
    compliance: list[ComplianceFinding]
    events_recorded: int
    scan_time_ms: int
    completed_at: datetime


class SecurityEventRead(Schema):
    id: str
    document_id: str
    document_version: int | None
    scan_id: str | None
    origin: str = Field(description="scan (on demand) or processing (during upload)")
    type: SecurityEventType
    code: str
    severity: Severity
    message: str
    details: dict[str, Any]
    created_at: datetime
