"""Named, generic algorithms a template can refer to (``Locator(kind="heuristic")``).

None of them knows a vendor: they read document structure (legal-form suffixes, the header
block of a receipt, currency marks) that holds for documents in general.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from folio.pipeline.fields.companies import issuer, top_line
from folio.pipeline.fields.countries import country_currency
from folio.pipeline.fields.issuers import web_brand, web_issuer
from folio.pipeline.fields.layout import Line, LWord, union
from folio.pipeline.fields.locators import (
    Context,
    Found,
    confidence,
    heuristic_found,
    letters,
    weaker,
)
from folio.pipeline.fields.normalize import currency_code, detect_currency
from folio.pipeline.fields.parties import deed_parties
from folio.pipeline.fields.receipt_dates import document_date
from folio.pipeline.fields.receipts import (
    cash_less_change,
    consistent_total,
    largest_amount,
    receipt_address,
    receipt_company,
    rounded_total,
)
from folio.pipeline.fields.types import FieldSpec, FieldType, FieldValue, Locator

Heuristic = Callable[[Context, FieldSpec, Locator, list[Line]], list[Found]]


def currency(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """ISO code: from the total's own mark if it has one, else the most frequent in the text;
    with no mark at all, the currency of the country the document names (a guess)."""
    text = "\n".join(line.text for line in lines)
    code = detect_currency(text)
    if code is None:
        guess = country_currency(text)
        return [weaker(heuristic_found(guess, [], loc, 0, guess), 0.6)] if guess else []
    for line in lines:
        m = re.search(rf"(?<![A-Za-z]){re.escape(code)}(?![A-Za-z])", line.text)
        sym = [s for s, c in (("€", "EUR"), ("$", "USD"), ("£", "GBP")) if c == code]
        if m or (sym and sym[0] in line.text):
            words = [w for w in line.words if currency_code(w.text.strip(".,:")) == code]
            return [heuristic_found(code, words or line.words[:1], loc, line.index, code)]
    return [heuristic_found(code, [], loc, 0, code)]


def untaxed_from_total(
    ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]
) -> list[Found]:
    """Total minus tax, when both were found (method ``derived``)."""
    total, tax = ctx.values.get("total"), ctx.values.get("tax")
    if not total or not tax or total.value is None or tax.value is None:
        return []
    value = round(float(total.value) - float(tax.value), 2)
    found = Found(
        value,
        f"{total.raw} - {tax.raw}",
        [],
        "derived",
        0.6 * min(total.confidence, tax.confidence) / 0.85,
        0,
        0,
    )
    return [found]


MALE = re.compile(r"\b(mr|shri|sri|s/o|son of|male|he|his)\b", re.IGNORECASE)
FEMALE = re.compile(
    r"\b(mrs|ms|smt|kumari|kum|d/o|w/o|daughter of|wife of|female|she|her)\b", re.IGNORECASE
)


def gender(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """Gender from honorifics and relations (``Smt.``, ``S/o`` …) in a party's block."""
    for line in lines[:3]:
        female, male = FEMALE.search(line.text), MALE.search(line.text)
        hit = min((m for m in (female, male) if m), key=lambda m: m.start(), default=None)
        if hit is not None:
            value = "Female" if hit is female else "Male"
            words = [w for w in line.words if hit.group(0).lower() in w.text.lower()][:1]
            return [heuristic_found(hit.group(0), words, loc, line.index, value)]
    return []


KV_INLINE = re.compile(r"^\s*([A-Za-z][\w .'/()#&-]{0,40}?)\s*[:\uff1a]\s*(\S.*)$")


def key_values(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """``Label: value`` inside a segment, or a ``Label:`` segment followed by a value one."""
    out: list[Found] = []
    for line in lines:
        segs = line.segments
        i = 0
        while i < len(segs):
            text = " ".join(w.text for w in segs[i])
            m = KV_INLINE.match(text)
            if m:
                out.append(_pair(m.group(1), m.group(2), segs[i], line, loc))
            elif text.endswith(":") and i + 1 < len(segs) and letters(text) >= 2:
                value = " ".join(w.text for w in segs[i + 1])
                out.append(_pair(text[:-1], value, segs[i] + segs[i + 1], line, loc))
                i += 1
            i += 1
    return out


def _pair(key: str, value: str, words: list[LWord], line: Line, loc: Locator) -> Found:
    box = union([w.bbox for w in words])
    conf = confidence("heuristic", words, loc)
    parts = {
        "key": FieldValue(
            name="key",
            type=FieldType.string,
            value=key.strip(),
            raw=key,
            page=line.page,
            bbox=box,
            confidence=conf,
            method="heuristic",
        ),
        "value": FieldValue(
            name="value",
            type=FieldType.string,
            value=value.strip(),
            raw=value,
            page=line.page,
            bbox=box,
            confidence=conf,
            method="heuristic",
        ),
    }
    return Found(parts, f"{key}: {value}", words, "heuristic", conf, 0, line.index)


HEURISTICS: dict[str, Heuristic] = {
    "document_date": document_date,
    "consistent_total": consistent_total,
    "cash_less_change": cash_less_change,
    "rounded_total": rounded_total,
    "issuer": issuer,
    "top_line": top_line,
    "receipt_company": receipt_company,
    "receipt_address": receipt_address,
    "currency": currency,
    "untaxed_from_total": untaxed_from_total,
    "gender": gender,
    "key_values": key_values,
    "deed_parties": deed_parties,
    "web_issuer": web_issuer,
    "web_brand": web_brand,
    "largest_amount": largest_amount,
}
