"""Organisations by their legal form ("… Sdn Bhd", "… GmbH", "… Ltd") and, in a document's
head, by a trade word ("… Restaurant", "… Trading"): what a letterhead or a till receipt
prints, where the entity model sees only upper-case words."""

from __future__ import annotations

import re
from collections.abc import Iterator

from folio.pipeline.intelligence.candidates import Candidate

_LEGAL_FORMS = (
    r"S[DN]N\.?[ \t]*BHD\.?|BHD\.?|BERHAD|PTE\.?[ \t]*LTD\.?|PTY\.?[ \t]*LTD\.?|CO\.?,?[ \t]*LTD\.?"
    r"|LTD\.?|LIMITED|LLC|L\.L\.C\.|LLP|INC\.?|INCORPORATED|CORP\.?|CORPORATION|GMBH|AG|PLC"
    r"|S\.A\.S?\.?|SAS|S\.?R\.?L\.?|SARL|S\.L\.|B\.V\.|N\.V\.|OY|AB|A/S|S\.P\.A\.|SPA|KG|OHG|SE"
)
# a name word: capitalised, a number, an initialism, "&", "(M)", or a joining word
_NAME_WORD = r"(?:[A-Z0-9][\w'\u2019.&-]*|&|\([A-Z]{1,3}\)|of|and|the|de|du|des|der|und|et|y)"
_LEGAL = re.compile(
    rf"(?<![\w.])(?:{_NAME_WORD}[ \t]+){{1,6}}(?i:{_LEGAL_FORMS})(?![\w&])",
)
_TRADES = (
    r"RESTAURANT|RESTORAN|TRADING|ENTERPRISE|ENTERPRISES|STORE|STORES|MART|SUPERMARKET"
    r"|HYPERMARKET|MINIMARKET|CAFE|CAFÉ|BAKERY|PHARMACY|HARDWARE|STATIONERY|BOOKSTORE|KITCHEN"
    r"|PIZZA|BISTRO|HOTEL|MOTEL|CLINIC|GARAGE|AUTO|MOTORS|FURNITURE|ELECTRICAL|TEXTILE"
    r"|FASHION|BOUTIQUE|SALON|LAUNDRY|PRINTING|MEDICAL|DENTAL|TRAVEL|TOURS|FOOD|FOODS|SEAFOOD"
    r"|CATERING|BAR|PUB|GRILL|DINER|STEAKHOUSE|NOODLE|NOODLES|CONFECTIONERY|GROCER|GROCERY"
    r"|MARKET|PETROLEUM|STATION|SERVICES|SERVICE|MACHINERY|TRADERS"
)
_TRADE_LINE = re.compile(
    rf"^[ \t]*((?:{_NAME_WORD}[ \t]+){{0,5}}(?:{_TRADES})(?:[ \t]+{_NAME_WORD}){{0,3}})[ \t]*$",
    re.IGNORECASE,
)
# "Acme is a design agency", "… works for Acme"
_KIND = (
    r"agency|company|firm|startup|start-up|business|corporation|bank|brand|manufacturer|retailer"
    r"|consultancy|provider|organi[sz]ation|charity|non-?profit|publisher|studio|label|insurer"
    r"|airline|chain|group|supplier|vendor|employer|university|school|hospital|charity"
)
_DESCRIBED = re.compile(
    rf"(?:^|(?<=[.!?\n][ \t])|(?<=\n))((?:{_NAME_WORD}[ \t]+){{0,4}}[A-Z][\w&'\u2019.-]*)"
    rf"[ \t]+(?:is|was)[ \t]+an?[ \t]+(?:[\w-]+[ \t]+){{0,2}}?(?:{_KIND})\b"
)
_WORKS_FOR = re.compile(
    rf"\b(?:work(?:s|ed|ing)?|employed)[ \t]+(?:for|at)[ \t]+((?:{_NAME_WORD}[ \t]+){{0,4}}?"
    rf"[A-Z][\w&'\u2019.-]*(?:[ \t]+[A-Z][\w&'\u2019.-]*)*)"
)
HEAD_LINES = 4
_FORM_WORD = re.compile(r"(?i)\b(?:tax|invoice|receipt|tel|fax|gst|total|date|no\.?)\b|\d{4}")


def find_organisations(text: str) -> Iterator[Candidate]:
    for m in _LEGAL.finditer(text):
        raw = re.sub(r"^(?:[Tt]he|THE)[ \t]+", "", m.group().strip())
        start = m.start() + m.group().index(raw)
        yield Candidate("organization", start, start + len(raw), raw, 0.85, raw, None, "pattern")
    for pattern in (_DESCRIBED, _WORKS_FOR):
        for m in pattern.finditer(text):
            raw = m.group(1).rstrip(".")
            end = m.start(1) + len(raw)
            yield Candidate("organization", m.start(1), end, raw, 0.8, raw, None, "cue")
    yield from _trade_names(text)


def _trade_names(text: str) -> Iterator[Candidate]:
    """A line of the document's head made of name words ending in, or holding, a trade word."""
    cursor, seen = 0, 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            seen += 1
            m = _TRADE_LINE.match(line)
            if m and line.strip().isupper() and not _FORM_WORD.search(line):
                start, end = cursor + m.start(1), cursor + m.end(1)
                raw = text[start:end]
                yield Candidate("organization", start, end, raw, 0.75, raw, None, "pattern")
        if seen >= HEAD_LINES:
            return
        cursor += len(line)
