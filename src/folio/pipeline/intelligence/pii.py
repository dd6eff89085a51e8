"""``detect_pii``: the personal subset of entities, with counts per type and a risk level."""

from __future__ import annotations

from collections import Counter

from folio.pipeline.intelligence.entities import extract_entities
from folio.pipeline.intelligence.types import Entity, PiiReport, RiskLevel
from folio.pipeline.types import DocumentResult

# weight of one occurrence: government ids and payment data are the most sensitive
PII_WEIGHTS: dict[str, int] = {
    "us_ssn": 10,
    "in_aadhaar": 10,
    "in_pan": 6,
    "credit_card": 10,
    "iban": 6,
    "drivers_license": 6,
    "nrp": 3,
    "person": 1,
    "email": 2,
    "phone": 2,
    "address": 3,
    "postal_code": 1,
    "ip_address": 1,
}
PII_TYPES = frozenset(PII_WEIGHTS)
MIN_CONFIDENCE = 0.5


def risk_level(counts: dict[str, int]) -> RiskLevel:
    score = sum(PII_WEIGHTS[t] * min(n, 5) for t, n in counts.items())
    if score == 0:
        return RiskLevel.none
    if score >= 20 or any(PII_WEIGHTS[t] >= 10 for t in counts):
        return RiskLevel.high
    return RiskLevel.medium if score >= 5 else RiskLevel.low


def pii_from_entities(entities: list[Entity], min_confidence: float = MIN_CONFIDENCE) -> PiiReport:
    found = [
        e
        for e in entities
        if e.type in PII_TYPES and e.confidence >= min_confidence and e.valid_checksum is not False
    ]
    counts = dict(Counter(e.type for e in found))
    return PiiReport(
        pii_detected=bool(found),
        risk_level=risk_level(counts),
        counts=counts,
        types=sorted(counts),
        entities=found,
    )


def detect_pii(
    result_or_text: DocumentResult | str,
    *,
    entities: list[Entity] | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> PiiReport:
    """PII of a document or text; pass ``entities`` already extracted to avoid a second pass.

    Identifiers whose checksum fails (``valid_checksum=False``) are not counted as PII.
    """
    if entities is None:
        entities = extract_entities(result_or_text, types=set(PII_TYPES))
    return pii_from_entities(entities, min_confidence)
