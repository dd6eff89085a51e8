"""Till receipts: the merchant in the header, its address below it, the date of issue, and
the payable total where cash rounding or cash-less-change decides it."""

from __future__ import annotations

import re
import statistics

from folio.pipeline.fields.companies import FORM_HINT, TITLE_WORDS
from folio.pipeline.fields.layout import Line, LWord, line_region
from folio.pipeline.fields.locators import (
    Context,
    Found,
    heuristic_found,
    letters,
    run_anchor,
    weaker,
)
from folio.pipeline.fields.spelling import mend_address, mend_company
from folio.pipeline.fields.typed import money_value, typed_matches
from folio.pipeline.fields.types import FieldSpec, Locator

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
    r"(co\.?\s*reg|company\s*no|roc|\breg(?:istration)?\.?\s*n[oa]\b|\(\s*\d{3,}[\w-]*\s*\)"
    r"|^\s*\d{5,}-?\w?\s*$|\b\d{6,}-[A-Z]\b)",
    re.IGNORECASE,
)
# a registration number in brackets, OCR's bracket and stray marks allowed: (519537-X), {519537-X)
REG_SUFFIX = re.compile(r"[({\[]\s*[^\s)}\]]{0,2}\s?[\w·.\-]*\d{3,}[\w·.\-]*\s*[)}\]]")
REG_PREFIX = re.compile(
    r"^\s*(?:co\.?[\s-]*(?:reg\w*|no)\.?|company\s*no\.?|roc|brn)[\s.:]*[\w-]*\d[\w-]*\s*",
    re.IGNORECASE,
)
PRE_ADDRESS = re.compile(
    r"\b(gst|sst|brn|roc|reg\w*|co\.?\s*no|company\s*no|formerly|owned by|licensee)\b",
    re.IGNORECASE,
)
PHONE_LIKE = re.compile(r"\d[\d\s-]{6,}\d")
# postcodes of many countries: 5 digits (MY, US, DE, FR, IT, ES …), ZIP+4, 6 digits (IN, SG,
# CN), 4 digits and 2 letters (NL), 2-3 digits (PL, JP), UK and Canadian forms
POSTCODE = re.compile(
    r"(?<![\w-])(?:\d{5}(?:-\d{4})?|\d{3}\s?\d{3}|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|\d{3}-\d{4}"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}|[A-Z]\d[A-Z]\s\d[A-Z]\d)(?![\w-])"
)
PREMISES = re.compile(r"\b(?:lot|no|unit|plot|block|p\.?\s?t)\b[\s.,:#-]*$", re.IGNORECASE)


def has_postcode(text: str) -> bool:
    """A postcode, not the number of a lot or a house (``LOT P.T. 33198``)."""
    return any(not PREMISES.search(text[: m.start()]) for m in POSTCODE.finditer(text))


def _header_lines(lines: list[Line]) -> list[Line]:
    """The first lines of the first page, each with only the words printed in its own type:
    a stamp across a line (``POSTED``) and a speck far to its right are no part of it."""
    first_page = lines[0].page if lines else 1
    header = []
    for line in [line for line in lines if line.page == first_page][:14]:
        words = _own_print(line)
        if words:
            kept = {id(w) for w in words}
            segments = [[w for w in seg if id(w) in kept] for seg in line.segments]
            header.append(Line(line.page, words, line.index, [seg for seg in segments if seg]))
    return header


def _own_print(line: Line) -> list[LWord]:
    if len(line.words) < 2:
        return line.words
    height = statistics.median(w.bbox[3] - w.bbox[1] for w in line.words)
    middle = statistics.median((w.bbox[1] + w.bbox[3]) / 2 for w in line.words)
    words = [
        w
        for w in line.words
        if w.bbox[3] - w.bbox[1] <= 1.5 * height
        and abs((w.bbox[1] + w.bbox[3]) / 2 - middle) <= 0.5 * height
    ]
    specks = {
        id(w)
        for seg in line.segments[1:]
        if len("".join(w.text for w in seg)) <= 2
        and not any(ch.isalpha() for w in seg for ch in w.text)
        for w in seg
    }
    return [w for w in words if id(w) not in specks]


def _wordy(text: str) -> bool:
    count = letters(text)
    return count >= 4 and count > 0.6 * len(text.replace(" ", ""))


def receipt_company(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """A line with a business word (``SDN BHD``, ``TRADING`` …) among the first three,
    else the first wordy line of the header; a second name line right below it joins it,
    and OCR slips in its legal form and trade words are mended."""
    header = [ln for ln in _header_lines(lines) if not TITLE_WORDS.search(ln.text.strip(" *"))]
    picked = _company_line(header)
    if picked is None:
        return []
    line, factor = picked
    name_lines = [line, *_second_name_line(line, header)]
    text = " ".join(REG_SUFFIX.sub("", ln.text).strip(" *") for ln in name_lines)
    words = [w for ln in name_lines for w in ln.words]
    found = heuristic_found(text, words, loc, line.index, mend_company(text))
    return [weaker(found, factor) if factor < 1 else found]


def _company_line(header: list[Line]) -> tuple[Line, float] | None:
    for line in header[:3]:  # a legal form at the top names the company, whatever its words
        text = REG_SUFFIX.sub("", line.text).strip(" *")
        if FORM_HINT.search(text) and _wordy(text) and not CONTACT.search(text):
            return line, 1.0
    for line in header[:3]:
        if RECEIPT_COMPANY.search(line.text) and not RECEIPT_STOP.search(line.text):
            return line, 1.0
    for line in header:
        text = REG_SUFFIX.sub("", line.text).strip(" *")
        if PREMISES_FIRST.match(text):
            break  # the address has begun: the name, unread, was above it
        if _wordy(text) and not RECEIPT_STOP.search(text) and not has_postcode(text):
            return line, 0.7
    return None


# an address's first line: a lot, house, unit or level number (``LOT 50,``, ``NO.12``)
PREMISES_FIRST = re.compile(r"\W*(?:lot|no|unit|block|blk|level|suite)\b.{0,12}?\d", re.IGNORECASE)


def _second_name_line(line: Line, lines: list[Line]) -> list[Line]:
    """The line below the name when it continues it (``JIAWEI HOUSE`` under ``RESTAURANT
    JIAWEI``): words only, printed as large, no address, contact, tax or legal-form words."""
    below = next((ln for ln in lines if ln.index == line.index + 1), None)
    if below is None or below.page != line.page or below.height < 0.8 * line.height:
        return []
    text = below.text.strip(" *")
    if (
        _wordy(text)
        and not ADDRESS_WORD.search(text)
        and not RECEIPT_STOP.search(text)
        and not FORM_HINT.search(text)
        and not PRE_ADDRESS.search(text)
        and not REGISTRATION.search(text)
        and not TITLE_WORDS.search(text)
    ):
        return [below]
    return []


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
            or letters(text) < 2
        ):
            continue
        if (
            RECEIPT_STOP.search(text)
            or REGISTRATION.search(text)
            or LABELLED_NUMBER.match(text)
            or letters(text) < 2
        ):
            break
        if after_postcode and (len(text) > 40 or after_postcode > 2 or PHONE_LIKE.search(text)):
            break
        picked.append(line)
        if after_postcode or has_postcode(text):
            after_postcode += 1
        if len(picked) >= 6:
            break
    return picked


# a short label and a phone-like number (``TEL: 012-2060 778`` however OCR read the label)
LABELLED_NUMBER = re.compile(r"\W*\w[\w/.]{0,4}\s*[:.]\s*[+(]?\d[\d\s()-]{6,}\d")


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
    last = company[0].words[-1] if company and company[0].words else None
    start = next((i + 1 for i, ln in enumerate(header) if any(w is last for w in ln.words)), 0)
    picked = _address_lines(header[start:])
    if not picked:
        return []
    text = " ".join(REG_PREFIX.sub("", line.text) for line in picked)
    words = [w for line in picked for w in line.words]
    found = heuristic_found(text, words, loc, picked[0].index, mend_address(text))
    return [found if has_postcode(text) else weaker(found, 0.7)]


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
    if not found:  # the rounding line alone holds the adjustment, not the total
        return []
    found += run_anchor(ctx, spec, rounding, lines)
    amounts = [(f, money_value(f.value)) for f in found if money_value(f.value) > 0]
    if not amounts:
        return []
    top = max(a for _, a in amounts)
    rounded = [(f, a) for f, a in amounts if top - 0.1 <= a <= top and round(a * 100) % 5 == 0]
    return [max(rounded, key=lambda fa: fa[0].order)[0]] if rounded else []


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
    found = weaker(
        heuristic_found(f"{cash.raw} - {back.raw}", cash.words, loc, cash.order, value), 0.8
    )
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


NOT_A_TOTAL_LINE = re.compile(
    r"\b(cash|tunai|tender\w*|paid|payment|change|baki|received|discount|saving|gst|sst|"
    r"tax|vat|service charge|qty|quantity|points?|deposit|balance)\b",
    re.IGNORECASE,
)
TOTAL_WORD = re.compile(r"\b(total|jumlah|grand|nett?|amount due|payable)\b", re.IGNORECASE)
CHANGE_LINE = re.compile(r"\b(change|baki|kembalian|balance returned)\b", re.IGNORECASE)


def largest_amount(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """No total label read: the amount that the payment less the change adds up to, else
    the largest amount off the payment lines (cash handed over, change, tax, discounts);
    with a cash-rounding line, the largest one rounded to 0.05."""
    amounts = _amounts(ctx, spec, loc, [ln for ln in lines if not _payment_line(ln)])
    if not amounts:
        return []
    settled = _settled_by_change(ctx, spec, loc, lines, amounts)
    if settled is not None:
        return [weaker(settled, 0.7)]
    top = max(v for v, _ in amounts)
    if any(ROUNDING.search(line.text) for line in lines):
        rounded = [(v, f) for v, f in amounts if top - 0.1 <= v and round(v * 100) % 5 == 0]
        amounts = rounded or amounts
    return [weaker(max(amounts, key=lambda vf: (vf[0], vf[1].order))[1], 0.6)]


def _payment_line(line: Line) -> bool:
    return bool(NOT_A_TOTAL_LINE.search(line.text)) and not TOTAL_WORD.search(line.text)


def _amounts(
    ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]
) -> list[tuple[float, Found]]:
    out = []
    for line in lines:
        region = line_region(line)
        for m in typed_matches(region.text, spec, ctx.date_order):
            value = money_value(m.value)
            if value > 0:
                words = region.words_in(m.start, m.end)
                out.append((value, heuristic_found(m.raw, words, loc, line.index, m.value)))
    return out


def _settled_by_change(
    ctx: Context,
    spec: FieldSpec,
    loc: Locator,
    lines: list[Line],
    amounts: list[tuple[float, Found]],
) -> Found | None:
    """The largest amount T with a payment P and a change C printed such that P - C = T."""
    change_lines = [ln for ln in lines if CHANGE_LINE.search(ln.text)]
    changes = [v for v, _ in _amounts(ctx, spec, loc, change_lines)]
    printed = {round(v, 2) for v, _ in _amounts(ctx, spec, loc, lines)}
    settled = [
        (v, f) for v, f in amounts if any(c > 0 and round(v + c, 2) in printed for c in changes)
    ]
    return max(settled, key=lambda vf: vf[0])[1] if settled else None


SUBTOTAL_LINE = re.compile(r"\bsub\W?\s*total|\bjumlah\s+kecil\b", re.IGNORECASE)
TAX_LINE = re.compile(r"\b(gst|sst|tax|vat|service\s+charge|svc\.?\s*chg)\b", re.IGNORECASE)
DISCOUNT_LINE = re.compile(r"\b(disc\w*|saving\w*|less)\b", re.IGNORECASE)


def consistent_total(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The amount the receipt's own arithmetic confirms, whatever its label reads: the payment
    less the change, or (printed after the sub-total) the sub-total plus a tax or all taxes,
    less a discount. Two readings agree, so it ranks before the labelled total, which OCR
    may have misread."""
    amounts = _amounts(ctx, spec, loc, [ln for ln in lines if not _payment_line(ln)])
    if not amounts:
        return []
    found = _settled_by_change(ctx, spec, loc, lines, amounts) or _settled_by_sum(
        ctx, spec, loc, lines, amounts
    )
    if found is None:
        return []
    found.method = "arithmetic"
    return [found]


def _last_amounts(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[float]:
    """The last amount of each line (a tax line also prints its rate or base before it)."""
    out = []
    for line in lines:
        values = [v for v, _ in _amounts(ctx, spec, loc, [line])]
        if values:
            out.append(values[-1])
    return out


def _settled_by_sum(
    ctx: Context,
    spec: FieldSpec,
    loc: Locator,
    lines: list[Line],
    amounts: list[tuple[float, Found]],
) -> Found | None:
    """The largest amount T below a sub-total S with S + tax - discount = T. With no tax or
    discount, only the sub-total repeated as the amount of a total line confirms it (not a
    column of a tax summary)."""
    subtotal_lines = [ln for ln in lines if SUBTOTAL_LINE.search(ln.text)]
    if not subtotal_lines:
        return None
    first = subtotal_lines[0].index
    subtotals = _last_amounts(ctx, spec, loc, subtotal_lines)
    taxes = _last_amounts(ctx, spec, loc, [ln for ln in lines if TAX_LINE.search(ln.text)])
    discounts = _last_amounts(ctx, spec, loc, [ln for ln in lines if DISCOUNT_LINE.search(ln.text)])
    added = {0.0, round(sum(taxes), 2), *taxes}
    taken = {0.0, *discounts}
    sums = {round(s + x - d, 2) for s in subtotals for x in added for d in taken if x != d}
    repeated = {round(s, 2) for s in subtotals}
    by_line = {ln.index: ln for ln in lines}
    settled = []
    for v, f in amounts:
        line = by_line.get(f.order)
        if line is None or f.order <= first or SUBTOTAL_LINE.search(line.text):
            continue
        last = _last_amounts(ctx, spec, loc, [line])
        as_total = bool(TOTAL_WORD.search(line.text)) and bool(last) and last[-1] == v
        if round(v, 2) in sums or (as_total and round(v, 2) in repeated):
            settled.append((v, f))
    return max(settled, key=lambda vf: vf[0])[1] if settled else None
