"""Run one locator over a region of lines → candidate values (``Found``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from folio.pipeline.dates import DateOrder
from folio.pipeline.fields import patterns
from folio.pipeline.fields.anchors import anchor_hits
from folio.pipeline.fields.entities import find_entities
from folio.pipeline.fields.layout import Line, LWord, RegionText
from folio.pipeline.fields.typed import typed_matches
from folio.pipeline.fields.types import (
    FieldSpec,
    FieldValue,
    Locator,
    LocatorKind,
    Pick,
    Table,
)

BASE_CONFIDENCE = {
    "regex": 0.9,
    "anchor:right_of": 0.85,
    "anchor:below": 0.75,
    "table": 0.7,
    "entity": 0.6,
    "heuristic": 0.5,
    "derived": 0.6,
}


@dataclass
class Found:
    value: object
    raw: str
    words: list[LWord]
    method: str
    confidence: float
    rank: float = 0  # label priority (lower is better; weaker label matches add 0.5)
    order: int = 0  # reading order of the line


@dataclass
class Context:
    lines: list[Line]
    date_order: DateOrder = "DMY"
    tables: list[Table] = field(default_factory=list)
    regions: dict[int, RegionText] = field(default_factory=dict)
    values: dict[str, FieldValue] = field(default_factory=dict)  # fields extracted so far

    def region(self, lines: list[Line]) -> RegionText:
        key = id(lines)
        if key not in self.regions:
            self.regions[key] = RegionText(lines)
        return self.regions[key]


def ocr_factor(words: list[LWord]) -> float:
    confs = [w.confidence for w in words if w.confidence is not None]
    return (sum(confs) / len(confs) / 100.0) if confs else 1.0


def confidence(method: str, words: list[LWord], loc: Locator, fuzzy: bool = False) -> float:
    base = loc.confidence if loc.confidence is not None else BASE_CONFIDENCE.get(method, 0.5)
    return round(base * ocr_factor(words) * (0.9 if fuzzy else 1.0), 3)


def heuristic_found(
    text: str, words: list[LWord], loc: Locator, order: int, value: object = None
) -> Found:
    """A value a named heuristic read (``text`` unless ``value`` is given)."""
    return Found(
        value if value is not None else text,
        text,
        words,
        "heuristic",
        confidence("heuristic", words, loc),
        0,
        order,
    )


def weaker(found: Found, factor: float) -> Found:
    """A fallback reading: the same value, a lower raw score for calibration to sort on."""
    found.confidence = round(found.confidence * factor, 3)
    return found


def letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _line_order(words: list[LWord], region: RegionText) -> int:
    if not words:
        return 0
    for line in region.lines:
        if any(w is words[0] for w in line.words):
            return line.index
    return 0


def run_regex(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    region = ctx.region(lines)
    out = []
    flags = patterns.IGNORECASE | patterns.MULTILINE
    for m in patterns.finditer(loc.pattern or "", region.text, flags):
        group = loc.group if isinstance(loc.group, str) or loc.group <= len(m.groups()) else 0
        text, start = m.group(group), m.start(group)
        if text is None:
            continue
        typed = typed_matches(text, spec, ctx.date_order)
        if not typed:
            continue
        if loc.pick != Pick.all:
            typed = [typed[-1] if loc.value_pick == "last" else typed[0]]
        for t in typed:
            words = region.words_in(start + t.start, start + t.end)
            conf = confidence("regex", words, loc)
            out.append(Found(t.value, t.raw, words, "regex", conf, 0, _line_order(words, region)))
    return out


def run_entity(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    region = ctx.region(lines)
    out = []
    for m in find_entities(loc.entity or spec.entity or "", region.text):
        words = region.words_in(m.start, m.end)
        conf = confidence("entity", words, loc)
        out.append(Found(m.value, m.raw, words, "entity", conf, 0, _line_order(words, region)))
    return out


def run_anchor(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    out = []
    for hit in anchor_hits(lines, spec, loc, ctx.date_order):
        words = hit.candidate.words
        conf = confidence(hit.method, words, loc, hit.fuzzy)
        out.append(
            Found(
                hit.candidate.value,
                hit.candidate.raw,
                words,
                hit.method,
                conf,
                hit.label_rank + (0.5 if hit.fuzzy else 0.0),
                hit.line.index,
            )
        )
    return out


def sections(lines: list[Line], start: str, end: str | None) -> list[list[Line]]:
    """Blocks of lines: each starts at a line matching ``start``, stops before the next start
    or a line matching ``end``."""
    blocks: list[list[Line]] = []
    current: list[Line] | None = None
    for line in lines:
        text = line.folded
        if patterns.search(start, text, patterns.IGNORECASE):
            current = [line]
            blocks.append(current)
        elif end and patterns.search(end, text, patterns.IGNORECASE):
            current = None
        elif current is not None:
            current.append(line)
    return blocks


Runner = Callable[[Context, FieldSpec, Locator, list[Line]], list[Found]]
RUNNERS: dict[LocatorKind, Runner] = {
    LocatorKind.regex: run_regex,
    LocatorKind.entity: run_entity,
    LocatorKind.anchor: run_anchor,
}
