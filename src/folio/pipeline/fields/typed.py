"""Read a typed value out of a candidate piece of text (a line remainder, a regex group …)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import SupportsFloat, SupportsIndex

from folio.pipeline.dates import DateOrder, find_dates
from folio.pipeline.fields import patterns
from folio.pipeline.fields.entities import find_entities
from folio.pipeline.fields.layout import LWord, RegionText
from folio.pipeline.fields.normalize import Match, find_money, find_numbers
from folio.pipeline.fields.types import FieldSpec, FieldType

TRUE_WORDS = {"yes", "y", "true", "paid", "ja", "oui", "si", "x", "\u2713", "checked"}
FALSE_WORDS = {"no", "n", "false", "nil", "none", "nein", "non", "unchecked"}
EDGE = " \t:;#|-\u2013\u2014=>*_"


@dataclass
class Candidate:
    value: object
    raw: str
    words: list[LWord]


def _strings(text: str) -> list[Match]:
    stripped = text.strip(EDGE)
    if not stripped or not re.search(r"\w", stripped):
        return []
    start = text.find(stripped)
    return [Match(stripped, stripped, start, start + len(stripped))]


def _enum(text: str, values: list[str]) -> list[Match]:
    out = []
    for option in sorted(values, key=len, reverse=True):
        m = re.search(rf"(?<!\w){re.escape(option)}(?!\w)", text, re.IGNORECASE)
        if m:
            out.append(Match(option, m.group(0), m.start(), m.end()))
    return sorted(out, key=lambda m: m.start)


def _boolean(text: str) -> list[Match]:
    for m in re.finditer(r"[\w\u2713]+", text):
        word = m.group(0).lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return [Match(word in TRUE_WORDS, m.group(0), m.start(), m.end())]
    return []


def typed_matches(text: str, spec: FieldSpec, date_order: DateOrder = "DMY") -> list[Match]:
    kind = spec.item_type if spec.type == FieldType.list and spec.item_type else spec.type
    if spec.entity:
        return find_entities(spec.entity, text)
    if spec.value_pattern and kind != FieldType.string:
        value_pattern = spec.value_pattern
        spec_plain = spec.model_copy(update={"value_pattern": None})
        return [
            m
            for m in typed_matches(text, spec_plain, date_order)
            if patterns.search(value_pattern, m.raw, patterns.IGNORECASE)
        ]
    if spec.value_pattern:
        return [
            Match(m.group(0), m.group(0), m.start(), m.end())
            for m in patterns.finditer(spec.value_pattern, text, patterns.IGNORECASE)
        ]
    if kind == FieldType.money:
        return find_money(text)
    if kind == FieldType.number:
        return find_numbers(text)
    if kind == FieldType.date:
        return [Match(d.value, d.raw, d.start, d.end) for d in find_dates(text, date_order)]
    if kind == FieldType.enum:
        return _enum(text, spec.enum_values)
    if kind == FieldType.boolean:
        return _boolean(text)
    return _strings(text)


def money_value(value: object) -> float:
    """The amount of a money value, ``(amount, currency)``, or of a bare number."""
    amount = value[0] if isinstance(value, tuple) else value
    if not isinstance(amount, str | SupportsFloat | SupportsIndex):
        raise TypeError(f"not a number: {amount!r}")  # as float() would
    return float(amount)


def read_typed(
    region: RegionText, spec: FieldSpec, pick: str = "first", date_order: DateOrder = "DMY"
) -> Candidate | None:
    matches = typed_matches(region.text, spec, date_order)
    if not matches:
        return None
    match = matches[-1] if pick == "last" else matches[0]
    words = region.words_in(match.start, match.end)
    return Candidate(match.value, match.raw, words)


def plain_value(value: object) -> object:
    """Money keeps its amount; its currency is reported by the template's currency field."""
    if isinstance(value, tuple):
        return value[0]
    return value
