"""Visual lines from word boxes, and a searchable text whose spans map back to words.

PDF text order follows the content stream, not the page; here words are regrouped into lines
top to bottom, left to right. Pages without word boxes (plain text, office files) get
monospace boxes: one unit per character, one per line, so the same code reads them.
"""

from __future__ import annotations

import itertools
import statistics
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from folio.pipeline.fields.types import BBox
from folio.pipeline.types import DocumentResult, Page


@dataclass
class LWord:
    text: str
    bbox: BBox  # deskewed on a photo taken at an angle: what lines are grouped by
    page: int
    confidence: float | None = None
    source_bbox: BBox | None = None  # the box on the page as it is, when deskewed

    @property
    def page_bbox(self) -> BBox:
        return self.source_bbox or self.bbox


@dataclass
class Line:
    page: int
    words: list[LWord]
    index: int = 0  # position in reading order over the document
    segments: list[list[LWord]] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def folded(self) -> str:
        """Case- and accent-folded text; the same length as ``text`` or else lower-cased."""
        folded = fold(self.text)
        return folded if len(folded) == len(self.text) else self.text.lower()

    @property
    def bbox(self) -> BBox:
        return union([w.bbox for w in self.words])

    @property
    def height(self) -> float:
        return statistics.median(w.bbox[3] - w.bbox[1] for w in self.words)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def union(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _page_words(page: Page) -> list[LWord]:
    if page.words:
        return [
            LWord(w.text, (*w.bbox,), page.number, w.confidence)
            for w in page.words
            if w.text.strip()
        ]
    words = []
    for row, line in enumerate(page.text.splitlines()):
        col = 0
        for token in line.split(" "):
            if token.strip():
                words.append(LWord(token, (col, row, col + len(token), row + 1), page.number))
            col += len(token) + 1
    return words


def _group_lines(words: list[LWord]) -> list[list[LWord]]:
    rows: list[list[LWord]] = []
    spans: list[list[float]] = []  # running mean of each row's top and bottom
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        y0, y1 = word.bbox[1], word.bbox[3]
        placed = False
        for k in range(len(rows) - 1, max(-1, len(rows) - 5), -1):
            ry0, ry1 = spans[k]
            if min(y1, ry1) - max(y0, ry0) > 0.5 * min(y1 - y0, ry1 - ry0):
                n = len(rows[k])
                spans[k] = [(ry0 * n + y0) / (n + 1), (ry1 * n + y1) / (n + 1)]
                rows[k].append(word)
                placed = True
                break
        if not placed:
            rows.append([word])
            spans.append([y0, y1])
    for row in rows:
        row.sort(key=lambda w: w.bbox[0])
    rows.sort(key=lambda r: statistics.median((w.bbox[1] + w.bbox[3]) / 2 for w in r))
    return rows


def split_segments(words: list[LWord], gap_factor: float = 1.0) -> list[list[LWord]]:
    """Split a line where the horizontal gap is wider than ``gap_factor`` times the text height."""
    if not words:
        return []
    height = statistics.median(w.bbox[3] - w.bbox[1] for w in words)
    segments = [[words[0]]]
    for prev, word in itertools.pairwise(words):
        if word.bbox[0] - prev.bbox[2] > gap_factor * height:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


MIN_SKEW = 0.005  # tan of ~0.3 degree: flatter pages are left as they are
MIN_PAIRS = 8


def skew(words: list[LWord]) -> float:
    """The page's text slope (dy/dx): the median over neighbouring words of one OCR line,
    i.e. consecutive words, left to right, at nearly the same height."""
    slopes = []
    for a, b in itertools.pairwise(words):
        height = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1])
        dx = (b.bbox[0] + b.bbox[2] - a.bbox[0] - a.bbox[2]) / 2
        dy = (b.bbox[1] + b.bbox[3] - a.bbox[1] - a.bbox[3]) / 2
        if b.bbox[0] >= a.bbox[2] - 0.2 * height and dx > height and abs(dy) < 0.8 * height:
            slopes.append(dy / dx)
    if len(slopes) < MIN_PAIRS:
        return 0.0
    slope = statistics.median(slopes)
    return slope if abs(slope) >= MIN_SKEW else 0.0


def deskewed(words: list[LWord]) -> list[LWord]:
    """Words of a page photographed at an angle, moved so its lines are level again (the
    page's own boxes kept in ``source_bbox``): a total and its label then share a line."""
    slope = skew(words)
    if not slope or not words:
        return words
    cx = statistics.median((w.bbox[0] + w.bbox[2]) / 2 for w in words)
    out = []
    for w in words:
        shift = -((w.bbox[0] + w.bbox[2]) / 2 - cx) * slope
        box = (w.bbox[0], w.bbox[1] + shift, w.bbox[2], w.bbox[3] + shift)
        out.append(LWord(w.text, box, w.page, w.confidence, w.bbox))
    return out


def document_lines(result: DocumentResult) -> list[Line]:
    lines: list[Line] = []
    for page in result.pages:
        for row in _group_lines(deskewed(_page_words(page))):
            lines.append(Line(page.number, row, len(lines), split_segments(row)))
    return lines


@dataclass
class RegionText:
    """Lines joined with newlines; ``spans`` maps each word to its character range."""

    lines: list[Line]
    text: str = ""
    spans: list[tuple[int, int, LWord]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts: list[str] = []
        pos = 0
        for line in self.lines:
            for i, word in enumerate(line.words):
                if i:
                    parts.append(" ")
                    pos += 1
                self.spans.append((pos, pos + len(word.text), word))
                parts.append(word.text)
                pos += len(word.text)
            parts.append("\n")
            pos += 1
        self.text = "".join(parts)

    def words_in(self, start: int, end: int) -> list[LWord]:
        return [w for s, e, w in self.spans if s < end and e > start]


def line_region(line: Line, words: list[LWord] | None = None) -> RegionText:
    return RegionText([Line(line.page, words if words is not None else line.words, line.index)])
