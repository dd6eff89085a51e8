"""Dates in text → ISO 8601 (``YYYY-MM-DD``): the pipeline's one date reader.

Template fields (:mod:`folio.pipeline.fields`) and the entity detector
(:mod:`folio.pipeline.intelligence.patterns`) both read dates here. Full dates (ISO, numeric,
day-month-year and month-day-year, month names in English, French, German, Dutch, Spanish,
Italian and Polish) are converted by hand: that fast path keeps dateparser, slow to import and
to call, off the common case. ``mentions=True`` adds English forms that lack a day or a year
(``March 2024``, ``March 5``, ``5th of March``); dateparser completes those (first of the
month, this year).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any, Literal

DateOrder = Literal["DMY", "MDY", "YMD", "auto"]

MONTHS: dict[str, int] = {}
_NAMES = {
    1: "january jan janvier janv januar jänner januari enero gennaio stycznia styczeń sty",
    2: "february feb février fevrier févr fevr februar februari febrero febbraio lutego luty lut",
    3: "march mar mars märz maerz maart marzo marca marzec",
    4: "april apr avril avr abril aprile kwietnia kwiecień kwi",
    5: "may mai mei mayo maggio maja maj",
    6: "june jun juin juni junio giugno czerwca czerwiec cze",
    7: "july jul juillet juil juli julio luglio lipca lipiec lip",
    8: "august aug août aout augustus agosto sierpnia sierpień sie",
    9: "september sep sept septembre septiembre settembre września wrzesień wrz",
    10: "october oct octobre okt oktober octubre ottobre października październik paź",
    11: "november nov novembre noviembre listopada listopad lis",
    12: "december dec décembre decembre dez dezember diciembre dicembre grudnia grudzień gru",
}
for _num, _words in _NAMES.items():
    for _w in _words.split():
        MONTHS[_w] = _num

_MON = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_SEP = r"[./\-]"
_FULL = (
    rf"(?<!\d)(?P<iso>(?P<iy>(?:19|20)\d{{2}}){_SEP}(?P<im>\d{{1,2}}){_SEP}(?P<id>\d{{1,2}}))(?!\d)"
    rf"|(?<![\d.,])(?P<num>(?P<a>\d{{1,2}})(?P<s1>{_SEP})(?P<b>\d{{1,2}})(?P=s1)"
    rf"(?P<c>(?:19|20)?\d{{2}}))(?:(?!\d)|(?=\d{{1,2}}:\d{{2}}))"
    rf"|(?<!\d)(?P<dmy>(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er)?\.?[\s\-/]*(?:of\s+|de\s+)?"
    rf"(?P<m1>{_MON})\.?,?[\s\-/]*(?P<y1>(?:19|20)?\d{{2}}))(?!\d)"
    rf"|(?P<mdy>\b(?P<m2>{_MON})\.?[\s\-]*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*"
    rf"(?P<y2>(?:19|20)\d{{2}}))(?!\d)"
)
_MON_EN = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY_EN = r"\d{1,2}(?:st|nd|rd|th)?"
# English dates without a day or a year, tried after the full forms at each position
_PARTIAL = (
    rf"|\b(?P<partial>{_MON_EN}\.?[ -],?\s?(?:19|20)\d{{2}}"
    rf"|{_MON_EN}\.?\s{_DAY_EN}"
    rf"|{_DAY_EN}\s(?:of\s)?{_MON_EN})\b"
)
DATE_RE = re.compile(_FULL, re.IGNORECASE)
MENTION_RE = re.compile(_FULL + _PARTIAL, re.IGNORECASE)


@cache
def _dateparser() -> Any:
    import dateparser  # heavy import: once per process, only when a partial date needs it

    return dateparser


@dataclass(frozen=True)
class DateMatch:
    value: str | None  # ISO 8601; None when the text has a date's shape but names none
    raw: str
    start: int
    end: int


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 and y < 70 else (y + 1900 if y < 100 else y)


def _make(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _numeric(a: int, b: int, y: int, order: DateOrder) -> str | None:
    if order == "MDY" and a <= 12:
        return _make(y, a, b) or _make(y, b, a)
    if a > 12 >= b:
        return _make(y, b, a)
    if b > 12 >= a:
        return _make(y, a, b)
    return _make(y, b, a) if order != "MDY" else _make(y, a, b)


@lru_cache(maxsize=4096)
def _complete(raw: str) -> str | None:
    parsed = _dateparser().parse(
        raw, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False}
    )
    return parsed.date().isoformat() if parsed else None


def _convert(m: re.Match[str], order: DateOrder) -> str | None:
    partial = m.groupdict().get("partial")  # only MENTION_RE has the group
    if partial:
        return _complete(partial)
    if m.group("iso"):
        return _make(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    if m.group("num"):
        a, b = int(m.group("a")), int(m.group("b"))
        c = m.group("c")
        if order == "YMD" and len(m.group("a")) == 2 and len(c) == 2:
            return _make(_year(m.group("a")), b, int(c))
        if order == "auto":
            order = "DMY" if m.group("s1") == "." else "MDY"
        return _numeric(a, b, _year(c), order)
    if m.group("dmy"):
        month = MONTHS[m.group("m1").lower()]
        return _make(_year(m.group("y1")), month, int(m.group("d1")))
    month = MONTHS[m.group("m2").lower()]
    return _make(int(m.group("y2")), month, int(m.group("d2")))


def scan_dates(
    text: str, order: DateOrder = "DMY", *, mentions: bool = False
) -> Iterator[DateMatch]:
    """Every span of ``text`` shaped like a date, with its ISO value where it names a real day.

    Ambiguous numeric dates follow ``order``: DMY, MDY, YMD, or ``auto`` (a dotted date is
    day first, a slashed or dashed one month first). ``mentions`` adds the partial forms.
    """
    for m in (MENTION_RE if mentions else DATE_RE).finditer(text):
        yield DateMatch(_convert(m, order), m.group(0).strip(), m.start(), m.end())


def find_dates(text: str, order: DateOrder = "DMY") -> list[DateMatch]:
    """All full dates in ``text`` that name a real day."""
    return [d for d in scan_dates(text, order) if d.value is not None]


def parse_date(text: str, order: DateOrder = "DMY") -> str | None:
    """The first date in ``text`` as ISO 8601, or None."""
    found = find_dates(text, order)
    return found[0].value if found else None
