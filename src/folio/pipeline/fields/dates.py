"""Dates in many formats and languages → ISO 8601 (``YYYY-MM-DD``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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
DATE_RE = re.compile(
    rf"(?<!\d)(?P<iso>(?P<iy>(?:19|20)\d{{2}}){_SEP}(?P<im>\d{{1,2}}){_SEP}(?P<id>\d{{1,2}}))(?!\d)"
    rf"|(?<![\d.,])(?P<num>(?P<a>\d{{1,2}})(?P<s1>{_SEP})(?P<b>\d{{1,2}})(?P=s1)"
    rf"(?P<c>(?:19|20)?\d{{2}}))(?:(?!\d)|(?=\d{{1,2}}:\d{{2}}))"
    rf"|(?<!\d)(?P<dmy>(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er)?\.?[\s\-/]*(?:of\s+|de\s+)?"
    rf"(?P<m1>{_MON})\.?,?[\s\-/]*(?P<y1>(?:19|20)?\d{{2}}))(?!\d)"
    rf"|(?P<mdy>\b(?P<m2>{_MON})\.?[\s\-]*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*"
    rf"(?P<y2>(?:19|20)\d{{2}}))(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    value: str  # ISO 8601
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


def _numeric(a: int, b: int, y: int, order: str) -> str | None:
    if order == "MDY" and a <= 12:
        return _make(y, a, b) or _make(y, b, a)
    if a > 12 >= b:
        return _make(y, b, a)
    if b > 12 >= a:
        return _make(y, a, b)
    return _make(y, b, a) if order != "MDY" else _make(y, a, b)


def _convert(m: re.Match[str], order: str) -> str | None:
    if m.group("iso"):
        return _make(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
    if m.group("num"):
        a, b = int(m.group("a")), int(m.group("b"))
        c = m.group("c")
        if order == "YMD" and len(m.group("a")) == 2 and len(c) == 2:
            return _make(_year(m.group("a")), b, int(c))
        return _numeric(a, b, _year(c), order)
    if m.group("dmy"):
        month = MONTHS[m.group("m1").lower()]
        return _make(_year(m.group("y1")), month, int(m.group("d1")))
    month = MONTHS[m.group("m2").lower()]
    return _make(int(m.group("y2")), month, int(m.group("d2")))


def find_dates(text: str, order: str = "DMY") -> list[DateMatch]:
    """All dates in ``text``; ambiguous numeric dates follow ``order`` (DMY, MDY or YMD)."""
    found = []
    for m in DATE_RE.finditer(text):
        iso = _convert(m, order)
        if iso is not None:
            found.append(DateMatch(iso, m.group(0).strip(), m.start(), m.end()))
    return found


def parse_date(text: str, order: str = "DMY") -> str | None:
    """The first date in ``text`` as ISO 8601, or None."""
    found = find_dates(text, order)
    return found[0].value if found else None
