"""``insights``: key terms a reader looks for first (contract terms, invoice totals and dates)."""

from __future__ import annotations

import re

from folio.pipeline.intelligence.patterns import parse_amount
from folio.pipeline.intelligence.types import Classification, Entity, Evidence, Importance, Insight
from folio.pipeline.types import DocumentResult

_NUM = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)"
# (type, title, pattern, importance, confidence): the first group, or the match, is the value
KEY_TERMS: list[tuple[str, str, re.Pattern[str], Importance, float]] = [
    (
        "key_terms",
        "Contract duration",
        re.compile(rf"(?i)\b(?:term|period) of {_NUM}\s*(?:\(\d+\)\s*)?(years?|months?)"),
        Importance.high,
        0.85,
    ),
    (
        "key_terms",
        "Automatic renewal",
        re.compile(
            r"(?i)\b(automatic(?:ally)? renew\w*|renew(?:s|ed)? automatically|auto-renew\w*)"
        ),
        Importance.high,
        0.8,
    ),
    (
        "key_terms",
        "Termination notice",
        re.compile(
            rf"(?i)\b{_NUM}\s*(?:\(\d+\)\s*)?(days?|months?)['\u2019]?\s*(?:prior\s+)?(?:written\s+)?notice"
        ),
        Importance.high,
        0.8,
    ),
    (
        "key_terms",
        "Governing law",
        re.compile(
            r"(?i)\bgoverned by (?:and construed in accordance with )?"
            r"the laws? of ([\w ,]{3,60}?)[.;\n]"
        ),
        Importance.medium,
        0.85,
    ),
    (
        "key_terms",
        "Payment terms",
        re.compile(
            r"(?i)\b(net\s*\d{1,3}\b|(?:payment|payable|due) (?:is )?(?:due )?within \d+ days)"
        ),
        Importance.medium,
        0.8,
    ),
]
_TOTAL_CUE = re.compile(
    r"(?i)\b(grand total|total due|amount due|balance due|total amount|total)\b"
)
_TOTAL_ORDER = (
    r"grand total",
    r"total due",
    r"amount due",
    r"balance due",
    r"total amount",
    r"total",
)
_DUE_CUE = re.compile(r"(?i)\b(due date|payment due|due by|pay by|date limite)\b")


def _pages(result: DocumentResult | str) -> list[tuple[int | None, str]]:
    return (
        [(None, result)] if isinstance(result, str) else [(p.number, p.text) for p in result.pages]
    )


def _key_terms(result: DocumentResult | str) -> list[Insight]:
    found: list[Insight] = []
    for kind, title, pattern, importance, conf in KEY_TERMS:
        for number, text in _pages(result):
            m = pattern.search(text)
            if m:
                value = " ".join(m.group().split())
                found.append(
                    Insight(
                        type=kind,
                        title=title,
                        description=f"{title}: {value}",
                        value=value,
                        confidence=conf,
                        importance=importance,
                        evidence=Evidence(
                            kind="text",
                            label=title,
                            text=m.group(),
                            page=number,
                            start=m.start(),
                            end=m.end(),
                        ),
                    )
                )
                break
    return found


def _cued_entity(
    result: DocumentResult | str,
    entities: list[Entity],
    kind: str,
    cue: re.Pattern[str],
    window: int = 60,
) -> Entity | None:
    texts = dict(_pages(result))
    best: Entity | None = None
    for e in entities:
        if e.type != kind:
            continue
        text = texts.get(e.page, "")
        cued = cue.search(text[max(0, e.start - window) : e.start])
        if cued and (kind != "money" or best is None or _amount(e) > _amount(best)):
            best = e
    return best


def _amount(e: Entity) -> float:
    try:
        return float((e.normalized or "0").split()[0])
    except ValueError:
        return 0.0


def _entity_insight(title: str, e: Entity, importance: Importance) -> Insight:
    value = e.normalized or e.text
    return Insight(
        type="financial",
        title=title,
        description=f"{title}: {value}",
        value=value,
        confidence=round(e.confidence * 0.95, 3),
        importance=importance,
        evidence=Evidence(
            kind="entity", label=e.type, text=e.text, page=e.page, start=e.start, end=e.end
        ),
    )


def _bare_total(result: DocumentResult | str) -> list[Insight]:
    """A total written without a currency: the number right after the strongest total cue."""
    for cue in _TOTAL_ORDER:
        for number, text in _pages(result):
            m = re.search(rf"(?i)\b{cue}\b\s*[:=-]?\s*(\d[\d,.' ]*\d|\d)(?![\d%])", text)
            amount = parse_amount(m.group(1)) if m else None
            if m and amount is not None:
                value = f"{amount:.2f}"
                evidence = Evidence(
                    kind="text",
                    label="total",
                    text=m.group(),
                    page=number,
                    start=m.start(),
                    end=m.end(),
                )
                return [
                    Insight(
                        type="financial",
                        title="Total amount",
                        description=f"Total amount: {value}",
                        value=value,
                        confidence=0.6,
                        importance=Importance.high,
                        evidence=evidence,
                    )
                ]
    return []


def _financial(result: DocumentResult | str, entities: list[Entity]) -> list[Insight]:
    found: list[Insight] = []
    total = _cued_entity(result, entities, "money", _TOTAL_CUE)
    if total:
        found.append(_entity_insight("Total amount", total, Importance.high))
    else:
        found += _bare_total(result)
    due = _cued_entity(result, entities, "date", _DUE_CUE)
    if due:
        found.append(_entity_insight("Due date", due, Importance.high))
    orgs = [e for e in entities if e.type == "organization"]
    if orgs:
        found.append(
            _entity_insight("Vendor", orgs[0], Importance.medium).model_copy(
                update={"type": "parties", "confidence": 0.5}
            )
        )
    return found


def insights(
    result: DocumentResult | str, entities: list[Entity], classification: Classification | None
) -> list[Insight]:
    found = _key_terms(result)
    kind = classification.document_type if classification else None
    if kind in {None, "invoice", "receipt", "utility_bill", "purchase_order", "bank_statement"}:
        found += _financial(result, entities)
    return found
