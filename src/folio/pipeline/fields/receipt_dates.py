"""The date a receipt was issued, also where OCR slipped inside it."""

from __future__ import annotations

import re

from folio.pipeline.fields.layout import Line, line_region
from folio.pipeline.fields.locators import Context, Found, heuristic_found, weaker
from folio.pipeline.fields.typed import typed_matches
from folio.pipeline.fields.types import FieldSpec, Locator

TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")
DATE_LABEL = re.compile(r"\b(date|dated|tarikh|datum|fecha|data|le)\b", re.IGNORECASE)


def document_date(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The date of issue: a date labelled as such or printed with a time of day ranks before
    a bare date (a birthday, a "since 1995", a date of an item). When no line holds a date,
    the lines are read again with the usual OCR slips in dates mended."""
    found = _best_date(ctx, spec, loc, lines, repair=False)
    if found is None:
        found = _best_date(ctx, spec, loc, lines, repair=True)
        return [weaker(found, 0.8)] if found is not None else []
    return [found]


def _best_date(
    ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line], *, repair: bool
) -> Found | None:
    best: tuple[int, Found] | None = None
    for line in lines:
        region = line_region(line)
        text = ocr_mended_dates(region.text) if repair else region.text
        for m in typed_matches(text, spec, ctx.date_order):
            rank = 2 * bool(TIME.search(line.text)) + 2 * bool(DATE_LABEL.search(line.text))
            words = region.words_in(m.start, m.end)
            found = heuristic_found(region.text[m.start : m.end], words, loc, line.index, m.value)
            found.confidence = round(found.confidence * (0.6 + 0.1 * rank), 3)
            if best is None or rank > best[0]:
                best = (rank, found)
    return best[1] if best else None


# OCR slips in a printed date, each mended without moving a character: a separator read as
# a space (``05 02-18``), a time glued to the day (``2018-01-0522:55``)
SPACED_SEPARATOR = (
    re.compile(
        r"(?<![\d.,])(\d{1,2}) (\d{1,2})(?:([/-])(\d{2})|([./-])((?:19|20)\d{2}))(?![\d.,])"
    ),
    re.compile(r"(?<![\d.,])(\d{1,2})([./-])(\d{1,2}) ((?:19|20)\d{2})(?![\d.,])"),
)
# a separator read as a look-alike mark (``05-05~18``): the date's other separator is meant
LOOKALIKE_SEPARATOR = (
    re.compile(r"(?<![\d.,])(\d{1,2})([./-])(\d{1,2})[~_=](\d{2}|(?:19|20)\d{2})(?![\d.,])"),
    re.compile(r"(?<![\d.,])(\d{1,2})[~_=](\d{1,2})([./-])(\d{2}|(?:19|20)\d{2})(?![\d.,])"),
)
GLUED_TIME = re.compile(r"(?<!\d)((?:19|20)\d{2}[./-]\d{1,2}[./-]\d{2})\d(?=\d?:\d{2})")


# a date-shaped run where OCR read a digit as a letter (``10/02/Z017``, ``2l-03-18``) or put
# a space beside a separator (``23 -03-18``)
DIGIT_LIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                            "Z": "2", "z": "2", "S": "5", "B": "8"})  # fmt: skip
_D = r"[\dOoDIl|ZzSB]"
SLIPPED_DATE = re.compile(
    rf"(?<![\w.,]){_D}{{1,2}} ?[./-] ?{_D}{{1,2}} ?[./-] ?(?:{_D}{{4}}|{_D}{{2}})(?![\w.,])"
)


def _unslipped(m: re.Match[str]) -> str:
    raw = m.group(0)
    if sum(ch.isdigit() for ch in raw) < 4:
        return raw
    fixed = re.sub(r" ?([./-]) ?", r"\1", raw.translate(DIGIT_LIKE))
    return fixed.ljust(len(raw))


def ocr_mended_dates(text: str) -> str:
    """``text`` with date slips mended; the characters around a date stay where they were."""
    text = SLIPPED_DATE.sub(_unslipped, text)
    text = SPACED_SEPARATOR[0].sub(_spaced, text)
    text = SPACED_SEPARATOR[1].sub(lambda m: f"{m[1]}{m[2]}{m[3]}{m[2]}{m[4]}", text)
    text = LOOKALIKE_SEPARATOR[0].sub(lambda m: f"{m[1]}{m[2]}{m[3]}{m[2]}{m[4]}", text)
    text = LOOKALIKE_SEPARATOR[1].sub(lambda m: f"{m[1]}{m[3]}{m[2]}{m[3]}{m[4]}", text)
    return GLUED_TIME.sub(lambda m: f"{m[1]} ", text)


def _spaced(m: re.Match[str]) -> str:
    sep, year = (m[3], m[4]) if m[3] else (m[5], m[6])
    return f"{m[1]}{sep}{m[2]}{sep}{year}"
