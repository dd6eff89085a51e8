"""Parties of a deed by role (sellers, buyers …) where they are not in blocks of their own:
a labelled line (``Grantor: Harold J. Whitman``), a row of a parties table (``Buyer 1 |
Mr. Vikram Deshpande | …``) or prose (``Mr. Farhan Ali Baig, S/o …, hereinafter called the
PURCHASER``). The role words come from the locator's ``labels``; nothing names a party."""

from __future__ import annotations

import re

from folio.pipeline.fields.layout import Line, LWord, union
from folio.pipeline.fields.locators import Context, Found, confidence
from folio.pipeline.fields.types import FieldSpec, FieldType, FieldValue, Locator

HONORIFIC = r"(?:mr|mrs|ms|miss|smt|shri|sri|kum|kumari|dr|messrs)\.?"
NAME = r"[A-Z][A-Za-z'\-]+(?:\s+(?:[A-Z]\.|[A-Z][A-Za-z'\-]+)){1,4}"
TITLED_NAME = re.compile(rf"\b{HONORIFIC}\s+({NAME})", re.IGNORECASE)
PLAIN_NAME = re.compile(rf"(?<![\w$£€₹.,\d])({NAME})(?=\s*,)")
NOT_A_NAME = re.compile(
    r"\b(?:road|street|lane|nagar|main|cross|block|lot|county|deed|property|schedule|"
    r"office|registrar|value|received|sum|rupees|dollars|pounds)\b",
    re.IGNORECASE,
)
HEREINAFTER = re.compile(
    r"hereinafter\s+(?:jointly\s+|collectively\s+)?(?:called|referred\s+to\s+as|known\s+as)"
    r"\s+(?:the\s+)?[\"'\u2018\u201c]?(\w+)",
    re.IGNORECASE,
)


def _role_pattern(labels: list[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(label) for label in labels)
    return re.compile(rf"^\W*(?:\d+\s+)?(?:{words})s?(?:\s*(?:no\.?\s*)?\d+)?\b", re.IGNORECASE)


def _is_name(text: str) -> bool:
    return len(text.split()) >= 2 and not NOT_A_NAME.search(text)


def deed_parties(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """Names of the parties whose role is one of ``loc.labels``, in reading order."""
    found = _labelled(spec, loc, lines) or _prose(ctx, spec, loc, lines)
    seen: set[str] = set()
    unique = []
    for f in found:
        if f.raw.casefold() not in seen:
            seen.add(f.raw.casefold())
            unique.append(f)
    return unique


def _labelled(spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """``Role: Name`` on a line, or a table row whose first cell is the role."""
    role = _role_pattern(loc.labels)
    out = []
    for line in lines:
        m = role.match(line.text)
        if not m:
            continue
        rest = line.text[m.end() :].lstrip(" :-\u2013|")
        name = TITLED_NAME.match(rest) or re.match(rf"({NAME})", rest)
        if name and _is_name(name.group(1)):
            out.append(_party(spec, loc, name.group(1), line.words, line))
    return out


def _prose(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """Names between the previous role clause (or the deed's opening) and ``hereinafter
    called the <role>``."""
    region = ctx.region(lines)
    text = region.text
    roles = {label.casefold() for label in loc.labels}
    out = []
    start = 0
    for clause in HEREINAFTER.finditer(text):
        role = clause.group(1).casefold().rstrip("s")
        span = text[max(start, clause.start() - 600) : clause.start()]
        offset = max(start, clause.start() - 600)
        start = clause.end()
        if role not in roles:
            continue
        names = [m for m in TITLED_NAME.finditer(span) if _is_name(m.group(1))]
        if not names:
            names = [m for m in PLAIN_NAME.finditer(span) if _is_name(m.group(1))][-1:]
        for m in names:
            words = region.words_in(offset + m.start(1), offset + m.end(1))
            out.append(_party(spec, loc, " ".join(m.group(1).split()), words, None))
    return out


def _party(
    spec: FieldSpec, loc: Locator, name: str, words: list[LWord], line: Line | None
) -> Found:
    conf = confidence("heuristic", words, loc)
    value = FieldValue(
        name="name",
        type=FieldType.string,
        value=name,
        raw=name,
        confidence=conf,
        page=words[0].page if words else None,
        bbox=union([w.bbox for w in words]) if words else None,
        method="heuristic",
    )
    parts = {
        sub.name: FieldValue(
            name=sub.name,
            type=sub.type,
            value=[] if sub.type == FieldType.list else None,
            missing_reason="not read from a party named in a table row or prose",
        )
        for sub in spec.fields
    }
    parts["name"] = value
    return Found(parts, name, words, "heuristic", conf, 0, line.index if line else 0)
