"""``check_compliance``: rule-based indicators for GDPR, HIPAA, SOX and PCI-DSS.

Each finding names the entities or phrases that triggered it. These are automated indicators
to help a reviewer, not legal advice and not a compliance assessment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from folio.pipeline.intelligence.types import ComplianceFinding, Entity, Evidence, Severity
from folio.pipeline.types import DocumentResult

FRAMEWORKS = ("gdpr", "hipaa", "sox", "pci_dss")
MAX_EVIDENCE = 5
_PERSONAL = {"person", "email", "phone", "address", "ip_address", "iban", "postal_code"}
_IDS = {"us_ssn", "in_aadhaar", "in_pan"}
_HEALTH = re.compile(
    r"(?i)\b(diagnos[ie]s|patient|medical record|prescri(?:ption|bed)|treatment|medication|"
    r"icd-?10|blood pressure|allerg(?:y|ies)|health insurance|clinical|physician)\b"
)
_FINANCIAL_CONTROL = re.compile(
    r"(?i)\b(internal control|audit(?:or|ed)?|financial statements?|balance sheet|"
    r"income statement|general ledger|material weakness|restatement|10-k|10-q)\b"
)
_DPA = re.compile(
    r"(?i)\b(data processing (?:agreement|addendum)|data protection|gdpr|lawful basis|consent)\b"
)
_CVV = re.compile(r"(?i)\b(cvv2?|cvc2?|card verification|security code)\b[:\s]*\d{3,4}\b")


def _entity_evidence(entities: list[Entity], types: set[str]) -> list[Evidence]:
    return [
        Evidence(kind="entity", label=e.type, text=e.text, page=e.page, start=e.start, end=e.end)
        for e in entities
        if e.type in types
    ][:MAX_EVIDENCE]


def _text_evidence(result: DocumentResult | str, pattern: re.Pattern[str]) -> list[Evidence]:
    pages = (
        [(None, result)] if isinstance(result, str) else [(p.number, p.text) for p in result.pages]
    )
    found: list[Evidence] = []
    for number, text in pages:
        for m in pattern.finditer(text):
            found.append(
                Evidence(
                    kind="text",
                    label=m.group(1).lower(),
                    text=m.group(),
                    page=number,
                    start=m.start(),
                    end=m.end(),
                )
            )
            if len(found) >= MAX_EVIDENCE:
                return found
    return found


def _finding(
    framework: str, indicator: str, description: str, severity: Severity, evidence: list[Evidence]
) -> list[ComplianceFinding]:
    if not evidence:
        return []
    return [
        ComplianceFinding(
            framework=framework,
            indicator=indicator,
            description=description,
            severity=severity,
            evidence=evidence,
        )
    ]


def _gdpr(result: DocumentResult | str, entities: list[Entity]) -> list[ComplianceFinding]:
    personal = _entity_evidence(entities, _PERSONAL | _IDS)
    found = _finding(
        "gdpr",
        "personal_data_present",
        "Personal data of identifiable people appears in the document.",
        Severity.medium,
        personal,
    )
    if personal and not _text_evidence(result, _DPA):
        found += _finding(
            "gdpr",
            "no_data_protection_terms",
            "Personal data without any data-protection or processing terms.",
            Severity.low,
            personal[:1],
        )
    return found


def _hipaa(result: DocumentResult | str, entities: list[Entity]) -> list[ComplianceFinding]:
    health = _text_evidence(result, _HEALTH)
    people = _entity_evidence(entities, _PERSONAL | _IDS | {"date"})
    if not health or not people:
        return []
    return _finding(
        "hipaa",
        "phi_indicators",
        "Health information appears next to identifiers: possible PHI.",
        Severity.high,
        health[:3] + people[:3],
    )


def _sox(result: DocumentResult | str, entities: list[Entity]) -> list[ComplianceFinding]:
    control = _text_evidence(result, _FINANCIAL_CONTROL)
    money = _entity_evidence(entities, {"money"})
    return _finding(
        "sox",
        "financial_reporting_record",
        "Financial-reporting or internal-control content: may be a record to retain.",
        Severity.low,
        control[:3] + money[:2] if control else [],
    )


def _pci(result: DocumentResult | str, entities: list[Entity]) -> list[ComplianceFinding]:
    cards = [e for e in entities if e.type == "credit_card" and e.valid_checksum]
    found = _finding(
        "pci_dss",
        "cardholder_data_present",
        "Full card numbers (Luhn-valid) are stored in clear text.",
        Severity.critical,
        _entity_evidence(cards, {"credit_card"}),
    )
    found += _finding(
        "pci_dss",
        "card_security_code_present",
        "A card security code (CVV/CVC) appears: it must never be stored.",
        Severity.critical,
        _text_evidence(result, _CVV),
    )
    return found


CHECKS: dict[str, Callable[[DocumentResult | str, list[Entity]], list[ComplianceFinding]]] = {
    "gdpr": _gdpr,
    "hipaa": _hipaa,
    "sox": _sox,
    "pci_dss": _pci,
}


def check_compliance(
    result: DocumentResult | str, entities: list[Entity], frameworks: Sequence[str]
) -> list[ComplianceFinding]:
    """Indicators for the named frameworks: ``gdpr``, ``hipaa``, ``sox``, ``pci_dss``."""
    findings: list[ComplianceFinding] = []
    for name in frameworks:
        check = CHECKS.get(name.lower().replace("-", "_"))
        if check is None:
            raise ValueError(f"unknown compliance framework: {name}")
        findings.extend(check(result, entities))
    return findings
