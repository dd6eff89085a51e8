"""presidio-research's span evaluation, re-implemented for the PII benchmark.

presidio-evaluator (`SpanEvaluator`, its default settings) does not compare character spans as
given. It tags each spaCy token with the type of the span its first character falls in (IO
scheme), rebuilds spans from runs of equally tagged tokens, and then:

- drops skip words (punctuation, whitespace, English stop words and words such as "street",
  "apt", "suite", "corner") from both ends of a span before measuring it, and a span made only
  of skip words;
- merges two spans of one type when only skip words separate them, so "12 Main Street, Apt. 4"
  is one address whether its template wrote it as one span or as three;
- matches each gold span with the predictions overlapping it, adding them one at a time (in
  text order) while the combined character IoU grows; a gold span is found when that IoU
  reaches 0.9.

The global figure is type-agnostic (a span found under another type still counts as found);
each type's figure counts only predictions of its own type. Precision per type divides by the
number of that type's predicted spans, as presidio-evaluator does.

This module follows the documented behaviour; it does not copy presidio-evaluator's code.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from typing import Any

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokenizer import Tokenizer

CharSpan = tuple[int, int, str]
IOU = 0.9

_EXTRA_SKIP_WORDS = [
    "'s", "street", "st.", "st", "de", "rue", "via", "and", "a", "the", "or", "do", "as", "of",
    "day", "address", "country", "state", "city", "zip", "po", "apt", "unit", "corner", "p.o.",
    "box", "suite", "mr.", "mrs.", "miss", "year", "years", "y/o", "month", "months", "old",
    "morning", "noon", "afternoon", "night", "evening", "this", "first", "last", "week", "weeks",
    "weekend", "days", "age", "ago", "inc", "inc.", "ltd", ">>", ">>>", ">>>>", ">>>>>",
    ">>>>>>",
]  # fmt: skip
SKIP_WORDS = frozenset([*string.punctuation, "", " ", "\n", "\t", *_EXTRA_SKIP_WORDS, *STOP_WORDS])


@cache
def _tokenizer() -> Tokenizer:
    """English tokenisation rules: the same as en_core_web_sm's tokenizer."""
    return spacy.blank("en").tokenizer


@dataclass(frozen=True)
class Token:
    text: str
    start: int

    @property
    def skipped(self) -> bool:
        return self.text.lower().strip() in SKIP_WORDS


@dataclass(frozen=True)
class Span:
    kind: str
    first: int  # token indices, end exclusive
    end: int
    start_char: int  # of the first and past the last token that is not a skip word
    end_char: int

    def chars(self, *, shift: int = 0) -> set[int]:
        return set(range(self.start_char + shift, self.end_char + 1 + shift))


def tokens(text: str) -> list[Token]:
    return [Token(t.text, t.idx) for t in _tokenizer()(text)]


def io_tags(words: list[Token], spans: list[CharSpan]) -> list[str]:
    """Each token takes the type of the first span (by start) that its first character is in."""
    ordered = sorted(spans)
    tags = []
    for word in words:
        kind = next((k for s, e, k in ordered if s <= word.start < e), "O")
        tags.append(kind)
    return tags


def _span(kind: str, words: list[Token], first: int, end: int) -> Span | None:
    kept = [w for w in words[first:end] if not w.skipped]
    if not kept:
        return None
    end_char = max(w.start + len(w.text) for w in kept)
    return Span(kind, first, end, min(w.start for w in kept), end_char)


def spans_from_tags(words: list[Token], tags: list[str]) -> list[Span]:
    """Runs of one tag, then runs of one type separated only by skip words merged."""
    runs: list[Span] = []
    index = 0
    while index < len(tags):
        kind, first = tags[index], index
        while index < len(tags) and tags[index] == kind:
            index += 1
        if kind != "O" and (span := _span(kind, words, first, index)):
            runs.append(span)
    merged: list[Span] = []
    for span in runs:
        last = merged[-1] if merged else None
        if last and last.kind == span.kind and all(w.skipped for w in words[last.end : span.first]):
            merged[-1] = Span(span.kind, last.first, span.end, last.start_char, span.end_char)
        else:
            merged.append(span)
    return merged


def _overlaps(a: Span, b: Span) -> bool:
    return a.start_char < b.end_char and b.start_char < a.end_char


def _combined_iou(gold: Span, preds: list[Span]) -> float:
    """presidio-evaluator widens every prediction after the first by the character before it
    (the space that joins it to the previous one)."""
    covered: set[int] = set()
    for i, pred in enumerate(preds):
        covered |= pred.chars() if i == 0 else set(range(pred.start_char - 1, pred.end_char))
    target = gold.chars()
    return len(target & covered) / len(target | covered)


def _grow(gold: Span, candidates: list[Span]) -> tuple[list[Span], float]:
    chosen: list[Span] = []
    best = 0.0
    for pred in sorted(candidates, key=lambda p: p.start_char):
        score = _combined_iou(gold, [*chosen, pred])
        if score > best:
            chosen.append(pred)
            best = score
    return chosen, best


@dataclass
class Counts:
    """Found gold spans, gold spans and predicted spans: globally and per type."""

    found: int = 0
    gold: int = 0
    predicted: int = 0

    def add(self, other: Counts) -> None:
        self.found += other.found
        self.gold += other.gold
        self.predicted += other.predicted

    def figures(self) -> dict[str, Any]:
        p, r = self.found / max(1, self.predicted), self.found / max(1, self.gold)
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f2": round(f2, 4),
                "tp": self.found, "predicted": self.predicted, "gold": self.gold}  # fmt: skip


def score_sentence(
    text: str, gold: list[CharSpan], pred: list[CharSpan]
) -> tuple[Counts, dict[str, Counts]]:
    """Type-agnostic counts and per-type counts for one sentence."""
    words = tokens(text)
    gold_spans = spans_from_tags(words, io_tags(words, gold))
    pred_spans = spans_from_tags(words, io_tags(words, pred))
    overall = Counts(gold=len(gold_spans))
    per_type: dict[str, Counts] = {}
    for span in gold_spans:
        per_type.setdefault(span.kind, Counts()).gold += 1
    for span in pred_spans:
        per_type.setdefault(span.kind, Counts()).predicted += 1
    used_any: set[Span] = set()
    used_same: set[Span] = set()
    for g in gold_spans:
        near = [p for p in pred_spans if p not in used_any and _overlaps(g, p)]
        chosen, score = _grow(g, near)
        if chosen and score >= IOU:
            overall.found += 1
            overall.predicted += 1  # the predictions that found it count once
            used_any.update(chosen)
        same = [p for p in near if p.kind == g.kind and p not in used_same]
        chosen, score = _grow(g, same)
        if chosen and score >= IOU:
            per_type[g.kind].found += 1
            used_same.update(chosen)
    overall.predicted += sum(1 for p in pred_spans if p not in used_any)
    return overall, per_type
