"""Named, generic algorithms a template can refer to (``Locator(kind="heuristic")``).

None of them knows a vendor: they read document structure (legal-form suffixes, the header
block of a receipt, currency marks) that holds for documents in general.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from folio.pipeline.fields.layout import Line, LWord, fold, line_region, union
from folio.pipeline.fields.locators import Context, Found, confidence, run_anchor
from folio.pipeline.fields.normalize import currency_code, detect_currency
from folio.pipeline.fields.typed import money_value, typed_matches
from folio.pipeline.fields.types import FieldSpec, FieldType, FieldValue, Locator

FORMS = (
    r"inc\.?|incorporated|l\.?l\.?c\.?|ltd\.?|limited|gmbh|ag|b\.\s?v\.?|n\.\s?v\.?|s\.\s?a\.?"
    r"|s\.\s?a\.\s?s\.?|sas|sarl|s\.?r\.?l\.?|s\.?p\.?a\.?|plc|corp\.?|corporation|co\.,? ltd\.?"
    r"|pvt\.? ltd\.?|private limited|sdn\.? bhd\.?|bhd\.?|oy|ab|as|aps|kg|ohg|e\.k\.|sp\. z o\.o\."
    r"|sp\u00f3\u0142ka akcyjna|llp"
)
FORM_HINT = re.compile(rf"\b(?:{FORMS})(?!\w)", re.IGNORECASE)
LEGAL_FORM = re.compile(
    rf"(?P<name>[\w&'\u2019.,\- ]{{2,80}}?)[\s,]*\b(?P<form>{FORMS})(?!\w)", re.IGNORECASE
)
TITLE_WORDS = re.compile(
    r"^(tax\s+)?(invoice|facture|factuur|rechnung|faktura|receipt|bill|quotation|statement|"
    r"payment receipt|kopie|copy|original|page|tax invoice|cash bill)\b",
    re.IGNORECASE,
)
RECEIPT_COMPANY = re.compile(
    r"\b(sdn\.?\s*bhd|bhd|enterprise|trading|restaurant|restoran|store|mart|hardware|"
    r"stationery|bookstore|supermarket|market|cafe|bakery|pharmacy|shop|company|co\.|"
    r"holdings|industries|services|s/b|plt|gift|book|machinery|electrical|kedai)\b",
    re.IGNORECASE,
)
RECEIPT_STOP = re.compile(
    r"\b(tel|telephone|phone|fax|h/?p|gst|email|e-mail|www|http|invoice|receipt|cashier|"
    r"date|tarikh|doc|bill|table|counter|order|member|sales|tax|cash|pay|carry|slip|"
    r"cashier|qty|description|mobile|whatsapps?|hotline|careline|outlet|check|guest)\b"
    r"|\btel|@",
    re.IGNORECASE,
)
CONTACT = re.compile(r"@|www|http|\b(?:tel|fax|phone|h/?p)\b", re.IGNORECASE)
REGISTRATION = re.compile(
    r"(co\.?\s*reg|company\s*no|roc|\breg(?:istration)?\.?\s*n[oa]\b|\(\s*\d{3,}[\w-]*\s*\)|^\s*\d{5,}-?\w?\s*$)",
    re.IGNORECASE,
)
REG_SUFFIX = re.compile(r"\(\s*[\w·.\-]*\d{3,}[\w·.\-]*\s*\)")
REG_PREFIX = re.compile(
    r"^\s*(?:co\.?[\s-]*(?:reg\w*|no)\.?|company\s*no\.?|roc|brn)[\s.:]*[\w-]*\d[\w-]*\s*",
    re.IGNORECASE,
)
PRE_ADDRESS = re.compile(
    r"\b(gst|sst|brn|roc|reg\w*|co\.?\s*no|company\s*no|formerly|owned by|licensee)\b",
    re.IGNORECASE,
)
PHONE_LIKE = re.compile(r"\d[\d\s-]{6,}\d")
POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")

Heuristic = Callable[[Context, FieldSpec, Locator, list[Line]], list[Found]]


def _found(text: str, words: list[LWord], loc: Locator, order: int, value: object = None) -> Found:
    return Found(
        value if value is not None else text,
        text,
        words,
        "heuristic",
        confidence("heuristic", words, loc),
        0,
        order,
    )


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def issuer(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The issuing company: the most frequent name with a legal form, else the top line."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[Line, str]] = {}
    skip = _customer_blocks(lines)
    for line in lines:
        for segment in line.segments:
            if (line.index, id(segment)) in skip:
                continue
            text = " ".join(w.text for w in segment)
            if not FORM_HINT.search(text):
                continue
            for m in LEGAL_FORM.finditer(text):
                name = _clean_name(m.group("name"))
                if _letters(name) < 2:
                    continue
                full = f"{name} {m.group('form')}".strip()
                key = fold(name)
                counts[key] += 1
                first_seen.setdefault(key, (line, full))
    if counts:
        key = max(counts, key=lambda k: (counts[k], -first_seen[k][0].index))
        line, full = first_seen[key]
        return [_found(full, _words_of(line, full), loc, line.index)]
    return top_line(ctx, spec, loc, lines)


CUSTOMER_LABEL = re.compile(
    r"\b(bill(?:ed)? to|ship(?:ped)? to|sold to|invoice to|deliver to|buyer|"
    r"(?:customer|client)(?!\s*(?:care|service|support|centre|center|helpline))|"
    r"recipient|attn|t\.a\.v|factuuradres|afleveradres|rechnungsadresse|lieferadresse|"
    r"adresse de facturation|nabywca|odbiorca|billing address|shipping address|guest name)\b",
    re.IGNORECASE,
)


def _customer_blocks(lines: list[Line]) -> set[tuple[int, int]]:
    """Segments in the few lines below a customer label (bill to, factuuradres …)."""
    skip: set[tuple[int, int]] = set()
    for i, line in enumerate(lines):
        for segment in line.segments:
            if not CUSTOMER_LABEL.search(" ".join(w.text for w in segment)):
                continue
            x0, x1 = segment[0].bbox[0], segment[-1].bbox[2]
            skip.add((line.index, id(segment)))
            for below in lines[i + 1 : i + 5]:
                for seg in below.segments:
                    if min(seg[-1].bbox[2], x1 + 50) - max(seg[0].bbox[0], x0 - 50) > 0:
                        skip.add((below.index, id(seg)))
    return skip


def _clean_name(name: str) -> str:
    name = re.split(r"[:|]|\b(?:by|from|to|van|de|von|of|at)\s*:", name, flags=re.IGNORECASE)[-1]
    name = re.sub(
        r"^(sold|issued|seller|vendor|supplier|regd\.? office)\b[\s:]*",
        "",
        name,
        flags=re.IGNORECASE,
    )
    return name.strip(" ,.-\u2013")


def _words_of(line: Line, text: str) -> list[LWord]:
    tokens = set(text.split())
    return [w for w in line.words if w.text in tokens] or line.words


def top_line(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    skip = _customer_blocks(lines[:20])
    for line in lines[:12]:
        for segment in line.segments:
            if (line.index, id(segment)) in skip:
                continue
            text = " ".join(w.text for w in segment).strip(" :#*-")
            if (
                _letters(text) >= 3
                and not TITLE_WORDS.search(text)
                and _letters(text) > len(text) / 2
            ):
                return [_found(text, segment, loc, line.index)]
    return []


def _header_lines(lines: list[Line]) -> list[Line]:
    first_page = lines[0].page if lines else 1
    return [line for line in lines if line.page == first_page][:14]


def _wordy(text: str) -> bool:
    letters = _letters(text)
    return letters >= 4 and letters > 0.6 * len(text.replace(" ", ""))


def receipt_company(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """A line with a business word (``SDN BHD``, ``TRADING`` …) among the first three,
    else the first wordy line of the header."""
    header = [ln for ln in _header_lines(lines) if not TITLE_WORDS.search(ln.text.strip(" *"))]
    for line in header[:3]:  # a legal form at the top names the company, whatever its words
        text = REG_SUFFIX.sub("", line.text).strip(" *")
        if FORM_HINT.search(text) and _wordy(text) and not CONTACT.search(text):
            return [_found(text, line.words, loc, line.index)]
    for line in header[:3]:
        if RECEIPT_COMPANY.search(line.text) and not RECEIPT_STOP.search(line.text):
            text = REG_SUFFIX.sub("", line.text).strip(" *")
            return [_found(text, line.words, loc, line.index)]
    for line in header:
        text = REG_SUFFIX.sub("", line.text).strip(" *")
        if _wordy(text) and not RECEIPT_STOP.search(text) and not POSTCODE.search(text):
            return [_weaker(_found(text, line.words, loc, line.index), 0.7)]
    return []


def _weaker(found: Found, factor: float) -> Found:
    """A fallback reading: the same value, a lower raw score for calibration to sort on."""
    found.confidence = round(found.confidence * factor, 3)
    return found


ADDRESS_WORD = re.compile(
    r"\b(no|lot|unit|floor|level|block|blok|road|rd|street|st|jalan|jln|lorong|taman|tmn|"
    r"avenue|ave|lane|km|batu|plaza|mall|centre|center|building|bangunan|rue|strasse|straße|"
    r"straat|via|calle|kampung|kg|industrial|park|square|route|autoroute|highway|boulevard|blvd|drive)\b|\d",
    re.IGNORECASE,
)


def _address_lines(header: list[Line]) -> list[Line]:
    picked: list[Line] = []
    after_postcode = 0
    for i, line in enumerate(header):
        text = REG_PREFIX.sub("", line.text)
        if not picked and _name_continues(text, header[i + 1 : i + 2]):
            continue
        if not picked and (
            PRE_ADDRESS.search(text)
            or REGISTRATION.search(text)
            or FORM_HINT.search(text)  # another company line: a former name, a franchisor
            or _letters(text) < 2
        ):
            continue
        if RECEIPT_STOP.search(text) or REGISTRATION.search(text) or _letters(text) < 2:
            break
        if after_postcode and (len(text) > 40 or after_postcode > 2 or PHONE_LIKE.search(text)):
            break
        picked.append(line)
        if after_postcode or POSTCODE.search(text):
            after_postcode += 1
        if len(picked) >= 6:
            break
    return picked


def _name_continues(text: str, following: list[Line]) -> bool:
    """A line of words only (a second name line, a branch or trade name) right above a line
    that reads like an address belongs to the name, not the address."""
    return (
        not ADDRESS_WORD.search(text)
        and bool(following)
        and bool(re.match(r"\W*\d|\W*(?:no|lot|unit)\b", following[0].text, re.IGNORECASE))
    )


def receipt_address(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The lines after the company: registration and tax-id lines skipped, up to the stop
    words (tel, date, invoice …), at most two short lines past the postcode."""
    company = receipt_company(ctx, spec, loc, lines)
    header = _header_lines(lines)
    start = next(
        (i + 1 for i, ln in enumerate(header) if company and ln.index == company[0].order), 0
    )
    picked = _address_lines(header[start:])
    if not picked:
        return []
    text = " ".join(REG_PREFIX.sub("", line.text) for line in picked)
    words = [w for line in picked for w in line.words]
    found = _found(text, words, loc, picked[0].index)
    return [found if POSTCODE.search(text) else _weaker(found, 0.7)]


def currency(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """ISO code: from the total's own mark if it has one, else the most frequent in the text."""
    text = "\n".join(line.text for line in lines)
    code = detect_currency(text)
    if code is None:
        return []
    for line in lines:
        m = re.search(rf"(?<![A-Za-z]){re.escape(code)}(?![A-Za-z])", line.text)
        sym = [s for s, c in (("€", "EUR"), ("$", "USD"), ("£", "GBP")) if c == code]
        if m or (sym and sym[0] in line.text):
            words = [w for w in line.words if currency_code(w.text.strip(".,:")) == code]
            return [_found(code, words or line.words[:1], loc, line.index, code)]
    return [_found(code, [], loc, 0, code)]


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


ROUNDING = re.compile(r"\bround", re.IGNORECASE)


def rounded_total(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """Cash rounding: when the receipt has a rounding line, the payable total is the amount
    near the largest total that is a whole multiple of 0.05 (the last such one)."""
    if not any(ROUNDING.search(line.text) for line in lines):
        return []
    found = run_anchor(ctx, spec, loc.model_copy(update={"kind": "anchor"}), lines)
    rounding = loc.model_copy(
        update={
            "kind": "anchor",
            "labels": ["rounding", "rounded"],
            "exclude": ["adjustment", "adj"],
        }
    )
    found += run_anchor(ctx, spec, rounding, lines)
    amounts = [(f, money_value(f.value)) for f in found]
    if not amounts:
        return []
    top = max(a for _, a in amounts)
    rounded = [(f, a) for f, a in amounts if top - 0.1 <= a <= top and round(a * 100) % 5 == 0]
    return [max(rounded, key=lambda fa: fa[0].order)[0]] if rounded else []


TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")
DATE_LABEL = re.compile(r"\b(date|dated|tarikh|datum|fecha|data|le)\b", re.IGNORECASE)


def document_date(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The date of issue: a date labelled as such or printed with a time of day ranks before
    a bare date (a birthday, a "since 1995", a date of an item)."""
    best: tuple[int, Found] | None = None
    for line in lines:
        region = line_region(line)
        for m in typed_matches(region.text, spec, ctx.date_order):
            rank = 2 * bool(TIME.search(line.text)) + 2 * bool(DATE_LABEL.search(line.text))
            words = region.words_in(m.start, m.end)
            found = _found(m.raw, words, loc, line.index, m.value)
            found.confidence = round(found.confidence * (0.6 + 0.1 * rank), 3)
            if best is None or rank > best[0]:
                best = (rank, found)
    return [best[1]] if best else []


PAID = ("cash", "tunai", "tendered", "amount paid", "paid", "cash received", "received")
CHANGE = ("change", "baki", "balance returned", "kembalian")


def cash_less_change(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """No total line read: what was handed over less the change given back."""
    paid = run_anchor(ctx, spec, _anchor_like(loc, PAID, ("change", "bill", "cashier")), lines)
    change = run_anchor(ctx, spec, _anchor_like(loc, CHANGE, ()), lines)
    if not paid or not change:
        return []
    cash, back = paid[-1], change[-1]
    value = round(money_value(cash.value) - money_value(back.value), 2)
    if value <= 0:
        return []
    found = _weaker(_found(f"{cash.raw} - {back.raw}", cash.words, loc, cash.order, value), 0.8)
    found.method = "derived"
    return [found]


def _anchor_like(loc: Locator, labels: tuple[str, ...], exclude: tuple[str, ...]) -> Locator:
    return loc.model_copy(
        update={
            "kind": "anchor",
            "labels": list(labels),
            "exclude": list(exclude),
            "position": "right_of",
            "value_pick": "last",
        }
    )


HEURISTICS: dict[str, Heuristic] = {
    "document_date": document_date,
    "cash_less_change": cash_less_change,
    "rounded_total": rounded_total,
    "issuer": issuer,
    "top_line": top_line,
    "receipt_company": receipt_company,
    "receipt_address": receipt_address,
    "currency": currency,
    "untaxed_from_total": untaxed_from_total,
}


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
            return [_found(hit.group(0), words, loc, line.index, value)]
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
            elif text.endswith(":") and i + 1 < len(segs) and _letters(text) >= 2:
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


HEURISTICS["gender"] = gender
HEURISTICS["key_values"] = key_values


def _deed_parties(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    from folio.pipeline.fields.parties import deed_parties  # parties imports this module's deps

    return deed_parties(ctx, spec, loc, lines)


HEURISTICS["deed_parties"] = _deed_parties


def _web_issuer(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    from folio.pipeline.fields.issuers import web_issuer  # issuers imports this module

    return web_issuer(ctx, spec, loc, lines)


HEURISTICS["web_issuer"] = _web_issuer
