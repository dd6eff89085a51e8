"""Dates: numeric, ISO and month-name forms, normalised to ISO 8601 with dateparser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache, lru_cache
from typing import Any

from folio.pipeline.intelligence.candidates import Candidate

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    rf"\b(?:{_YEAR}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_YEAR}|\d{{2}})"
    rf"|(?:{_DAY}[ -]?)?{_MONTH}[ -],?\s?(?:{_DAY},?\s)?{_YEAR}"
    rf"|{_MONTH}\s{_DAY}(?:,\s?{_YEAR})?"
    rf"|{_DAY}\s(?:of\s)?{_MONTH})\b",
    re.IGNORECASE,
)
_CUED_YEAR = re.compile(
    rf"(?i)\b(?:in|since|of|from|until|by|year|during|circa|before|after)\s+({_YEAR})\b"
)
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")


@cache
def _dateparser() -> Any:
    import dateparser  # heavy import: once per process, only when a date needs parsing

    return dateparser


def _numeric(raw: str) -> str | None:
    m = _NUMERIC.fullmatch(raw)
    if not m:
        return None
    a, b, y = (int(g) for g in m.groups())
    year = y + (2000 if y < 50 else 1900) if y < 100 else y
    month, day = (a, b) if a <= 12 and not (b <= 12 and "." in raw) else (b, a)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        try:
            return date(year, b, a).isoformat()
        except ValueError:
            return None


@lru_cache(maxsize=4096)
def normalize_date(raw: str) -> str | None:
    numeric = _numeric(raw)
    if numeric or _NUMERIC.fullmatch(raw):
        return numeric
    parsed = _dateparser().parse(
        raw, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}
    )
    return parsed.date().isoformat() if parsed else None


def find_dates(text: str) -> Iterator[Candidate]:
    for m in _DATE.finditer(text):
        raw = m.group().rstrip(",")
        normalized = normalize_date(raw)
        conf = 0.9 if normalized else 0.5
        yield Candidate("date", m.start(), m.start() + len(raw), raw, conf, normalized)
    for m in _CUED_YEAR.finditer(text):
        yield Candidate("date", m.start(1), m.end(1), m.group(1), 0.55, m.group(1))
