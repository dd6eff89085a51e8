"""Anchor labels: find a label on a line (exact, separator-tolerant or fuzzy for OCR noise),
then read the value to its right or below it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from folio.pipeline.dates import DateOrder
from folio.pipeline.fields.layout import Line, RegionText, fold, line_region
from folio.pipeline.fields.typed import EDGE, Candidate, read_typed, typed_matches
from folio.pipeline.fields.types import FieldSpec, FieldType, Locator, Position


@dataclass
class Hit:
    candidate: Candidate
    line: Line
    label_rank: int
    method: str
    fuzzy: bool  # fuzzy OCR match, or a label inside a phrase: weaker, ranked after exact


@lru_cache(maxsize=4096)
def label_pattern(label: str) -> re.Pattern[str]:
    tokens = re.findall(r"\w+|[#°№%]", fold(label))
    body = r"[\s.\-_:/()]*".join(re.escape(t) for t in tokens)
    tail = r"(?!\w)" if tokens and re.fullmatch(r"\w+", tokens[-1]) else ""
    return re.compile(rf"(?<!\w){body}{tail}\.?(?:\s*[:#.\-=]+)?", re.UNICODE)


@lru_cache(maxsize=512)
def any_label(labels: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all labels: lines matching none of them are skipped at once."""
    return re.compile("|".join(f"(?:{label_pattern(label).pattern})" for label in labels))


@lru_cache(maxsize=8192)
def _windows(text: str, n: int) -> tuple[tuple[int, int, str], ...]:
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    out = []
    for i in range(len(spans) - n + 1):
        start, end = spans[i][0], spans[i + n - 1][1]
        out.append((start, end, re.sub(r"[^\w ]", "", text[start:end])))
    return tuple(out)


def _fuzzy_span(text: str, label: str) -> tuple[int, int] | None:
    """A window of words in ``text`` close to ``label`` (OCR noise: ``Tatal`` → ``Total``)."""
    target = fold(label)
    if len(target) < 5:
        return None
    matcher = difflib.SequenceMatcher(None, "", target, autojunk=False)
    for start, end, window in _windows(text, len(target.split())):
        if abs(len(window) - len(target)) > 0.25 * len(target):
            continue
        matcher.set_seq1(window)
        if matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8:
            return start, end
    return None


def find_label(line: Line, label: str, fuzzy: bool) -> list[tuple[int, int, bool]]:
    """Character spans of ``label`` in the folded line text (fuzzy only when none is exact)."""
    text = line.folded
    spans = [(m.start(), m.end(), False) for m in label_pattern(label).finditer(text)]
    if not spans and fuzzy:
        span = _fuzzy_span(text, label)
        if span:
            spans.append((span[0], span[1], True))
    return spans


def _excluded_at(line: Line, start: int, excludes: list[str]) -> bool:
    """Whether the segment holding the label at ``start`` names an excluded term."""
    pos, text = 0, line.folded
    for segment in line.segments:
        length = len(" ".join(w.text for w in segment))
        if pos <= start < pos + length + 1:
            text = line.folded[pos : pos + length]
            break
        pos += length + 1
    return any(label_pattern(term).search(text) for term in excludes)


def _right_of(
    line: Line, end: int, spec: FieldSpec, loc: Locator, order: DateOrder
) -> Candidate | None:
    region = line_region(line)
    begin, stop = end, len(region.text) - 1
    if spec.type in (FieldType.string, FieldType.enum) and not spec.entity:
        bounds = _segment_after(line, region, end)
        if bounds is None:
            return None
        begin, stop = bounds
    matches = typed_matches(region.text[begin:stop], spec, order)
    if not matches:
        return None
    m = matches[-1] if loc.value_pick == "last" else matches[0]
    words = region.words_in(begin + m.start, begin + m.end)
    return Candidate(m.value, m.raw, words)


def _segment_after(line: Line, region: RegionText, end: int) -> tuple[int, int] | None:
    """The first gap-separated segment holding text after ``end``."""
    for segment in line.segments:
        spans = [(s, e) for s, e, w in region.spans if any(w is x for x in segment)]
        seg_start, seg_end = spans[0][0], spans[-1][1]
        if seg_end <= end:
            continue
        begin = max(seg_start, end)
        if region.text[begin:seg_end].strip(EDGE):
            return begin, seg_end
    return None


def _below(
    lines: list[Line],
    idx: int,
    span: tuple[float, float],
    spec: FieldSpec,
    loc: Locator,
    order: DateOrder,
) -> tuple[Candidate, Line] | None:
    line = lines[idx]
    x0, x1 = span
    for below in lines[idx + 1 : idx + 1 + loc.max_lines_below]:
        if below.page != line.page:
            break
        overlaps = [
            (min(seg[-1].bbox[2], x1) - max(seg[0].bbox[0], x0), seg) for seg in below.segments
        ]
        overlaps = [(o, seg) for o, seg in overlaps if o > 0]
        if overlaps:  # the value is the segment right under the label, or there is none
            best = max(overlaps, key=lambda o: o[0])[1]
            found = read_typed(line_region(below, best), spec, loc.value_pick, order)
            return (found, below) if found else None
    return None


def _label_x(line: Line, start: int, end: int) -> tuple[float, float]:
    region = line_region(line)
    words = region.words_in(start, end) or line.words
    return words[0].bbox[0], words[-1].bbox[2]


def anchor_hits(lines: list[Line], spec: FieldSpec, loc: Locator, order: DateOrder) -> list[Hit]:
    hits: list[Hit] = []
    prefilter = any_label(tuple(loc.labels))
    for idx, line in enumerate(lines):
        # OCR noise is matched only on lines OCR read: a text-layer page with a logo read by
        # OCR keeps exact labels everywhere else
        fuzzy = any(w.confidence is not None for w in line.words)
        exact = bool(prefilter.search(line.folded))
        if not exact and not fuzzy:
            continue
        # a label read exactly beats an OCR-noise reading of a label ranked before it
        # (``Factuur`` is the label ``factuur``, not a slip of ``factuurnr``)
        hit = _line_hit(lines, idx, False, spec, loc, order) if exact else None
        if hit is None and fuzzy:
            hit = _line_hit(lines, idx, True, spec, loc, order)
        if hit is not None:
            hits.append(hit)
    return hits


def _line_hit(
    lines: list[Line], idx: int, fuzzy: bool, spec: FieldSpec, loc: Locator, order: DateOrder
) -> Hit | None:
    for rank, label in enumerate(loc.labels):
        hit = _first_hit(lines, idx, label, fuzzy, spec, loc, order)
        if hit:
            return Hit(hit[0], hit[1], rank, hit[2], hit[3])
    return None


def _first_hit(
    lines: list[Line],
    idx: int,
    label: str,
    fuzzy: bool,
    spec: FieldSpec,
    loc: Locator,
    order: DateOrder,
) -> tuple[Candidate, Line, str, bool] | None:
    for start, end, was_fuzzy in find_label(lines[idx], label, fuzzy):
        if loc.exclude and _excluded_at(lines[idx], start, loc.exclude):
            continue
        hit = _hit_at(lines, idx, start, end, spec, loc, order)
        if hit:
            return hit[0], hit[1], hit[2], was_fuzzy or not _starts_segment(lines[idx], start)
    return None


def _starts_segment(line: Line, start: int) -> bool:
    """A label that opens its segment (``Factuur``), not one inside a phrase (``Kopie
    factuur``), is a real field label."""
    pos = 0
    for segment in line.segments:
        if pos <= start <= pos + 1:
            return True
        pos += len(" ".join(w.text for w in segment)) + 1
    return False


def _hit_at(
    lines: list[Line],
    idx: int,
    start: int,
    end: int,
    spec: FieldSpec,
    loc: Locator,
    order: DateOrder,
) -> tuple[Candidate, Line, str] | None:
    line = lines[idx]
    if loc.position in (Position.right_of, Position.any):
        cand = _right_of(line, end, spec, loc, order)
        if cand:
            return cand, line, "anchor:right_of"
    if loc.position in (Position.below, Position.any):
        found = _below(lines, idx, _label_x(line, start, end), spec, loc, order)
        if found:
            return found[0], found[1], "anchor:below"
    return None
