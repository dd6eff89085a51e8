"""Organisations by their legal form ("… Sdn Bhd", "… GmbH", "… Ltd") and, in a document's
head, by a trade word ("… Restaurant", "… Trading"): what a letterhead or a till receipt
prints, where the entity model sees only upper-case words."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator

from folio.pipeline.intelligence.candidates import Candidate
from folio.pipeline.intelligence.nrp import NRP
from folio.pipeline.intelligence.places import is_country

# legal forms; the short ones are also words ("se", "ab", "me"), so their case must match
_LEGAL_LONG = (
    r"S[DN]N\.?[ \t]*BHD\.?|BHD\.?|BERHAD|PTE\.?[ \t]*LTD\.?|PTY\.?[ \t]*LTD\.?|CO\.?,?[ \t]*LTD\.?"
    r"|LTD\.?|LIMITED|LLC|L\.L\.C\.|LLP|INC\.?|INCORPORATED|CORP\.?|CORPORATION|GMBH|PLC"
    r"|S\.A\.S?\.?|S\.?R\.?L\.?|SARL|S\.L\.|B\.V\.|N\.V\.|S\.P\.A\.|gGmbH|e\.K\.|e\.V\.|ApS"
    r"|Oyj|Kft\.?|Zrt\.?|s\.r\.o\.|a\.s\.|d\.o\.o\.|Sp\. z o\.o\.|Sp\.k\.|s\.c\.|S\.L\.N\.E\.?"
    r"|S\.Com\.|S\.Coop\.?|S\.L\.L\.|BVBA|Ltda\.?|EIRELI|Pvt\.? Ltd\.?|& S[øo]n|et Fils|e Figli"
)
_LEGAL_SHORT = (
    r"AG|SE|SA|SAS|OY|AB|A/S|SPA|SpA|KG|OHG|GbR|mbH|UG|ASA|HB|KB|Tmi|Bt\.?|VOF|SRL|S/A"
    r"|& Co\.?(?: KG)?"
)
_LEGAL_FORMS = rf"(?i:{_LEGAL_LONG})|(?:{_LEGAL_SHORT})"
# a name word: capitalised, a number, an initialism, "&", "(M)", or a joining word
_NAME_WORD = r"(?:[A-Z0-9][\w'\u2019.&-]*|&|\([A-Z]{1,3}\)|of|and|the|de|du|des|der|und|et|y)"
_LEGAL = re.compile(
    rf"(?<![\w.])(?:{_NAME_WORD}[ \t]+){{1,6}}(?:{_LEGAL_FORMS})(?![\w&])",
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
_ABBREVIATED_END = re.compile(r"(?i:\.\w{1,4}|\b(?:ltd|inc|co|corp|bhd|kft|zrt|ltda|bt|pvt))\.$")
_CAPWORD = r"[A-Z0-9][\w&'\u2019./-]*"
# an organisation's name: capitalised words, joined by "&", "and" or commas, with its legal form
_ORG_NAME = (
    rf"{_CAPWORD}(?:(?:[ \t]+|,[ \t]*)(?:(?:and|&|\+|e|et|y|und|og|och|en)[ \t]+)?{_CAPWORD})*"
    rf"(?:[ \t]+(?:{_LEGAL_FORMS})(?![\w&]))?"
)
_WORKS_FOR = re.compile(
    rf"(?:\b(?:work(?:s|ed|ing)?|employed)[ \t]+(?:for|at)|\b[Ee]mployer[ \t]+(?:is|was)"
    rf"|\b(?:recorded|signed)[ \t]+(?:for|to|with)|\b(?:employed|hired)[ \t]+by"
    rf"|(?m:^)[ \t]*(?:Supplier|Vendor|Company|Employer|Organi[sz]ation|Merchant|Seller|Firm"
    rf"|Bill(?:ed)? from|Issued by|Sold by)[ \t]*:)[ \t]+({_ORG_NAME})"
)
# "Acme songwriter Jane Doe", "Smith, Jones and Brown lawyer Ann Lee": an employer written
# before a job word and a name, as news and profiles write them
_JOBS = (
    r"songwriter|singer|engineer|developer|designer|analyst|manager|director|executive|ceo|cfo"
    r"|cto|founder|co-founder|spokesperson|spokesman|spokeswoman|lawyer|attorney|accountant"
    r"|consultant|employee|researcher|scientist|chairman|chairwoman|president|producer|editor"
    r"|reporter|economist|strategist|recruiter|intern|officer|partner|trainee"
)
_EMPLOYER_BEFORE_JOB = re.compile(rf"(?<![\w&'-])({_ORG_NAME})[ \t]+(?:{_JOBS})[ \t]+[A-Z][^\W\d_]")
_JOB_WORD = re.compile(rf"[ \t](?:{_JOBS})[ \t]+[A-Z]")
# words that open a noun phrase, not a name: "Our engineer Ann", "Senior analyst Bo"
_NOT_EMPLOYER = frozenset(
    {"the", "a", "an", "our", "my", "his", "her", "their", "your", "its", "this", "that",
     "senior", "junior", "chief", "lead", "former", "local", "then", "new", "head", "deputy",
     "assistant", "associate", "managing", "general", "principal", "staff", "and", "as", "by",
     "in", "on", "at", "for", "from", "with", "after", "before", "when", "yesterday", "today"}
)  # fmt: skip
# "her Acme resignation letter", "my Globex account": a company named as what one has with it
_POSSESSED = re.compile(
    rf"\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Yy]our)[ \t]+"
    rf"({_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,2}})"
    r"[ \t]+(?:account|app|card|subscription|membership|order|shares|stock|policy|loan|mortgage"
    r"|pension|badge|laptop|job|internship|contract|resignation|interview|offer|store|branch)\b"
)
_CALENDAR = frozenset(
    w.lower() for w in (*calendar.day_name, *calendar.month_name, "Christmas", "Easter") if w
)
HEAD_LINES = 4
_GROUPS = frozenset(w.lower() for w in NRP)
_FORM_WORD = re.compile(r"(?i)\b(?:tax|invoice|receipt|tel|fax|gst|total|date|no\.?)\b|\d{4}")


def find_organisations(text: str) -> Iterator[Candidate]:
    for m in _LEGAL.finditer(text):
        raw = re.sub(r"^(?:[Tt]he|THE)[ \t]+", "", m.group().strip())
        start = m.start() + m.group().index(raw)
        yield Candidate("organization", start, start + len(raw), raw, 0.85, raw, None, "pattern")
    for pattern in (_DESCRIBED, _WORKS_FOR):
        for m in pattern.finditer(text):
            raw = m.group(1)
            if raw.endswith(".") and not _ABBREVIATED_END.search(raw):
                raw = raw[:-1]  # a full stop, not the end of "s.r.l." or "Ltd."
            end = m.start(1) + len(raw)
            yield Candidate("organization", m.start(1), end, raw, 0.85, raw, None, "cue")
    yield from _employers_before_jobs(text)
    yield from _possessed(text)
    yield from _trade_names(text)


def _employers_before_jobs(text: str) -> Iterator[Candidate]:
    if not _JOB_WORD.search(text):
        return  # the name pattern is tried at each capitalised word: only where a job is named
    for m in _EMPLOYER_BEFORE_JOB.finditer(text):
        words = list(re.finditer(r"[^ \t,]+", m.group(1)))
        while words and (
            words[0].group().lower() in _NOT_EMPLOYER or words[0].group()[0].isdigit()
        ):
            words.pop(0)
        if not words:
            continue
        start, end = m.start(1) + words[0].start(), m.end(1)
        raw = text[start:end]
        if not _group_or_country(raw):
            yield Candidate("organization", start, end, raw, 0.72, raw, None, "cue")


def _possessed(text: str) -> Iterator[Candidate]:
    for m in _POSSESSED.finditer(text):
        raw = m.group(1)
        if not _group_or_country(raw) and raw.split()[0].lower() not in _CALENDAR:
            yield Candidate("organization", m.start(1), m.end(1), raw, 0.65, raw, None, "cue")


def _group_or_country(name: str) -> bool:
    """A group ("German", "Catholic") or a country ("Norway"): not an employer."""
    return name.lower() in _GROUPS or is_country(name)


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


# a signature or postal block: name, (job title,) organisation, then the address lines
_LINE = re.compile(r"[^\n]+")
_PREFIX = re.compile(r"[^\w\n]*[ \t]*")
_ORG_LINE = re.compile(r"[^\W\d_][\w&'\u2019.,-]*(?:[ \t]+[\w&'\u2019.,-]+){0,4}")
_JOB_LINE = re.compile(r"[^\W\d_]+(?:[ \t]+[a-z][^\W\d_]*){1,3}")
_ADDRESS_START = re.compile(r"(?i)\d|(?:unit|psc|apt|suite|p\.?\s?o\.?|usn[sv])\b")


def block_organisations(text: str, people: list[tuple[int, int]]) -> Iterator[Candidate]:
    """The line between a person's line (and their job title) and the address lines."""
    lines = [_content(text, m.start(), m.end()) for m in _LINE.finditer(text)]
    starts = {span for span in people}
    for i, line in enumerate(lines[:-1]):
        if line not in starts or (j := _org_line_below(text, lines, i)) is None:
            continue
        start, end = lines[j]
        if text[start:end].islower() and not text[slice(*lines[i])].islower():
            continue  # a lower-case word under a capitalised name is no company name
        raw = text[start:end]
        yield Candidate("organization", start, end, raw, 0.72, raw, None, "layout")


_LOWER_NAME_LINE = re.compile(r"[^\W\d_A-Z][^\W\d_]*(?:[ \t]+[^\W\d_A-Z][^\W\d_.]*\.?){1,3}")


def block_names(text: str) -> Iterator[Candidate]:
    """A name written in lower case on the first line of a postal block (name, job title,
    organisation, address lines): where case says nothing, the layout says it is a person."""
    lines = [_content(text, m.start(), m.end()) for m in _LINE.finditer(text)]
    i = 0
    while i < len(lines):
        org = _block_org_line(text, lines, i)
        if org is None:
            i += 1
            continue
        raw = text[slice(*lines[i])]
        yield Candidate("person", *lines[i], raw, 0.6, raw, None, "layout")
        i = org + 1


def _block_org_line(text: str, lines: list[tuple[int, int]], i: int) -> int | None:
    """Index of the organisation line when line ``i`` heads a postal block as a lower-case
    name, else ``None``."""
    if not _LOWER_NAME_LINE.fullmatch(text, *lines[i]):
        return None
    return _org_line_below(text, lines, i)


def _org_line_below(text: str, lines: list[tuple[int, int]], i: int) -> int | None:
    """Index of the organisation line under a name line ``i`` (after a job title line or
    not) that an address line follows, else ``None``."""
    with_job = i + 1 < len(lines) and _JOB_LINE.fullmatch(text, *lines[i + 1])
    for j in (i + 1, i + 2) if with_job else (i + 1,):
        if _org_above_address(text, lines, j):
            return j
    return None


def _org_above_address(text: str, lines: list[tuple[int, int]], j: int) -> bool:
    if j + 1 >= len(lines) or not _ADDRESS_START.match(text, lines[j + 1][0]):
        return False
    return not _ADDRESS_START.match(text, lines[j][0]) and bool(
        _ORG_LINE.fullmatch(text, *lines[j])
    )


def _content(text: str, start: int, end: int) -> tuple[int, int]:
    """A line's span without a leading bullet or marks and without trailing spaces."""
    start = _PREFIX.match(text, start, end).end()  # type: ignore[union-attr]
    return start, start + len(text[start:end].rstrip())
