"""``recommendations``: actions derived from the findings, each with steps a reviewer can follow."""

from __future__ import annotations

from folio.pipeline.intelligence.types import (
    Classification,
    ComplianceFinding,
    Importance,
    PiiReport,
    Recommendation,
    RiskLevel,
    SecurityReport,
)

LOW_CONFIDENCE = 0.5


def _pii(pii: PiiReport | None) -> list[Recommendation]:
    if pii is None or not pii.pii_detected:
        return []
    high = pii.risk_level in (RiskLevel.high, RiskLevel.critical)
    return [
        Recommendation(
            code="REDACT_PII",
            title="Redact personal data",
            description=f"{sum(pii.counts.values())} personal data items ({', '.join(pii.types)}).",
            priority=Importance.high if high else Importance.medium,
            steps=[
                "Review the detected items and their locations.",
                "Create a redaction job for the selected entity types.",
                "Share or archive the redacted copy instead of the original.",
            ],
            action="redaction_job",
            entity_types=pii.types,
        )
    ]


def _security(security: SecurityReport | None) -> list[Recommendation]:
    if security is None or security.risk_level in (RiskLevel.none, RiskLevel.low):
        return []
    codes = sorted({t.code for t in security.threats})
    return [
        Recommendation(
            code="QUARANTINE_FILE",
            title="Quarantine and review the file",
            description=f"Active or suspicious content: {', '.join(codes)}.",
            priority=Importance.high,
            steps=[
                "Do not open the original in a desktop viewer.",
                "Have a security reviewer inspect the findings.",
                "Keep only the extracted text, or a flattened copy, if the file is needed.",
            ],
            action="review",
        )
    ]


_COMPLIANCE: dict[str, tuple[str, str, list[str], str | None]] = {
    "no_data_protection_terms": (
        "ADD_DPA_CLAUSE",
        "Add data-processing terms",
        [
            "Identify the controller and processor roles.",
            "Add a data-processing clause (purpose, retention, security, sub-processors).",
            "Have counsel review the wording.",
        ],
        "review",
    ),
    "phi_indicators": (
        "RESTRICT_PHI_ACCESS",
        "Restrict access to health information",
        [
            "Limit the document to the people who need it.",
            "Redact identifiers before sharing.",
            "Log every access.",
        ],
        "redaction_job",
    ),
    "cardholder_data_present": (
        "REMOVE_CARD_DATA",
        "Remove or mask card numbers",
        [
            "Mask all but the last four digits.",
            "Delete stored copies of the original.",
            "Check where the document came from so card data stops arriving.",
        ],
        "redaction_job",
    ),
    "card_security_code_present": (
        "REMOVE_CARD_DATA",
        "Remove card security codes",
        ["Redact the security code.", "Delete stored copies of the original."],
        "redaction_job",
    ),
}


def _compliance(findings: list[ComplianceFinding]) -> list[Recommendation]:
    recs: dict[str, Recommendation] = {}
    for f in findings:
        spec = _COMPLIANCE.get(f.indicator)
        if spec is None or spec[0] in recs:
            continue
        code, title, steps, action = spec
        recs[code] = Recommendation(
            code=code,
            title=title,
            description=f.description,
            priority=Importance.high,
            steps=steps,
            action=action,
        )
    return list(recs.values())


def _classification(classification: Classification | None) -> list[Recommendation]:
    if classification is None or classification.confidence >= LOW_CONFIDENCE:
        return []
    return [
        Recommendation(
            code="REVIEW_CLASSIFICATION",
            title="Confirm the document type",
            description=f"Classified as {classification.document_type} with low confidence.",
            priority=Importance.low,
            steps=[
                "Check the document type.",
                "Correct it if wrong: corrections train the team model.",
            ],
            action="review",
        )
    ]


def recommendations(
    *,
    pii: PiiReport | None = None,
    security: SecurityReport | None = None,
    compliance: list[ComplianceFinding] | None = None,
    classification: Classification | None = None,
) -> list[Recommendation]:
    return (
        _security(security)
        + _pii(pii)
        + _compliance(compliance or [])
        + _classification(classification)
    )
