"""Analysis findings as security event rows. Values of personal data never enter the log:
only types, counts, pages and codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from folio.pipeline.intelligence import ComplianceFinding, PiiReport, SecurityReport
from folio.pipeline.intelligence.types import RiskLevel, Severity
from folio.security_scans.models import SecurityEventType

PII_SEVERITY = {
    RiskLevel.none: Severity.info,
    RiskLevel.low: Severity.low,
    RiskLevel.medium: Severity.medium,
    RiskLevel.high: Severity.high,
    RiskLevel.critical: Severity.critical,
}


@dataclass(frozen=True)
class Finding:
    type: SecurityEventType
    code: str
    severity: Severity
    message: str
    details: dict[str, Any]


def threat_findings(report: SecurityReport | None) -> list[Finding]:
    if report is None:
        return []
    return [
        Finding(
            SecurityEventType.threat,
            threat.code,
            threat.severity,
            threat.description,
            {"location": threat.location, "risk_level": report.risk_level},
        )
        for threat in report.threats
    ]


def pii_findings(pii: PiiReport | None) -> list[Finding]:
    if pii is None or not pii.pii_detected:
        return []
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(pii.counts.items()))
    pages = sorted({e.page for e in pii.entities if e.page is not None})
    return [
        Finding(
            SecurityEventType.pii_detected,
            "PII_DETECTED",
            PII_SEVERITY[pii.risk_level],
            f"Personal data found: {listed}.",
            {
                "types": pii.types,
                "counts": pii.counts,
                "risk_level": pii.risk_level,
                "pages": pages,
            },
        )
    ]


def compliance_findings(findings: list[ComplianceFinding]) -> list[Finding]:
    return [
        Finding(
            SecurityEventType.compliance_indicator,
            f"{f.framework.upper()}_{f.indicator.upper()}",
            f.severity,
            f.description,
            {
                "framework": f.framework,
                "indicator": f.indicator,
                "evidence": [
                    {"kind": e.kind, "label": e.label, "page": e.page} for e in f.evidence[:20]
                ],
                "disclaimer": f.disclaimer,
            },
        )
        for f in findings
    ]
