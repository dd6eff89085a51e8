"""Reading order for engines that return text boxes only: rows, then columns where a page has them.

Boxes that share a baseline form a row, read left to right; rows read top to bottom. A page in
columns has a gutter: an empty vertical strip that splits many consecutive rows. Rows that
the gutter splits, read as a section, give the left column's rows first, then the right's, when
both sides hold lines of running text (wide lines); narrow pieces on either side (a receipt's
labels and amounts, a table's cells) stay row by row, which is how they are read.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from folio.pipeline.ocr.base import Box

T = TypeVar("T")

SAME_ROW_OVERLAP = 0.5  # of the shorter height, against the row's mean band
# The narrowest gap that can be a gutter, in line heights. Between words: narrower gaps are
# spaces, even justified. Between detected lines: the detector already splits a line where a
# gap is wider than its words' spaces, so two boxes side by side are separate pieces, and a
# LaTeX page's columns sit half a line height apart. bench/ocr.py, RapidOCR's lines on the
# rendered pages: every bound from 0.2 to 1.2 reads the even fold alike (CER 0.065; 0.082 at
# 1.5), 0.2 to 0.6 the odd one (0.146; 0.299 at 1.5); receipts and book scans read the same at
# every bound.
MIN_GUTTER_WORDS = 1.5
MIN_GUTTER_LINES = 0.5
MIN_COLUMN_ROWS = 3
SOLID_ROWS = 0.6  # share of a column's rows with no wide gap: text, not table cells
MAX_GUTTERS = 5  # candidates tried per region
MIN_COLUMN_WIDTH = 6.0  # line heights: a column's median row is running text, not a label


@dataclass(frozen=True, slots=True)
class Placed(Generic[T]):
    box: Box  # x0, y0, x1, y1
    item: T

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


Row = list[Placed[T]]


def reading_order(
    items: Sequence[Placed[T]], min_gutter: float = MIN_GUTTER_WORDS
) -> list[list[T]]:
    """``items`` grouped into rows in reading order, each row left to right; ``min_gutter``:
    the narrowest gap between two items that can be a gutter, in line heights."""
    if not items:
        return []
    line_height = statistics.median(max(item.height, 1.0) for item in items)
    scale = _Scale(line_height, min_gutter * line_height)
    return [[placed.item for placed in row] for row in _order(list(items), scale)]


@dataclass(frozen=True, slots=True)
class _Scale:
    line: float  # the median item's height
    gutter: float  # the narrowest gap that can be a gutter, in the same unit


def _order(items: list[Placed[T]], scale: _Scale) -> list[Row[T]]:
    rows = group_rows(items)
    for gutter in _gutters(rows, scale):
        sections = _sections(rows, gutter, scale)
        if any(len(sides) == 2 for sides in sections):
            # each side holds fewer boxes than ``items``: it may split into columns again
            return [
                ordered
                for sides in sections
                for side in sides
                for ordered in _order([p for row in side for p in row], scale)
            ]
    return rows


def _sections(rows: list[Row[T]], gutter: float, scale: _Scale) -> list[list[list[Row[T]]]]:
    """Runs of rows, each as its sides: [left, right] where the gutter splits running text in
    two columns, [rows] between them."""
    sections: list[list[list[Row[T]]]] = []
    rest: list[Row[T]] = []
    run: list[Row[T]] = []
    for row in [*rows, None]:
        if row is not None and not _crosses(row, gutter):
            run.append(row)
            continue
        left = [side for side in ([p for p in r if p.box[2] <= gutter] for r in run) if side]
        right = [side for side in ([p for p in r if p.box[0] >= gutter] for r in run) if side]
        if _is_text_column(left, scale) and _is_text_column(right, scale):
            if rest:
                sections.append([rest])
                rest = []
            sections.append([left, right])
        else:
            rest.extend(run)
        run = []
        if row is not None:
            rest.append(row)
    if rest:
        sections.append([rest])
    return sections


def group_rows(items: list[Placed[T]]) -> list[Row[T]]:
    """Boxes that overlap a row's band (its members' mean top and bottom) share the row."""
    rows: list[Row[T]] = []
    for item in sorted(items, key=lambda placed: (placed.box[1] + placed.box[3]) / 2):
        row = rows[-1] if rows else None
        if row is not None and _same_row(_band(row), item.box):
            row.append(item)
        else:
            rows.append([item])
    return [sorted(row, key=lambda placed: placed.box[0]) for row in rows]


def _band(row: Row[T]) -> Box:
    top = statistics.fmean(placed.box[1] for placed in row)
    bottom = statistics.fmean(placed.box[3] for placed in row)
    return row[0].box[0], top, row[-1].box[2], bottom


def _same_row(first: Box, second: Box) -> bool:
    overlap = min(first[3], second[3]) - max(first[1], second[1])
    shorter = min(first[3] - first[1], second[3] - second[1])
    return shorter > 0 and overlap / shorter >= SAME_ROW_OVERLAP


def _gutters(rows: list[Row[T]], scale: _Scale) -> list[float]:
    """Candidate gutters: x positions inside a wide gap of at least three rows, most rows first."""
    gaps = [_row_gaps(row, scale) for row in rows]
    counts: dict[float, int] = {}
    for start, end in (gap for row in gaps for gap in row):
        middle = round((start + end) / 2, 1)
        if middle not in counts:
            counts[middle] = sum(any(a <= middle <= b for a, b in row) for row in gaps)
    ranked = sorted(counts, key=lambda middle: -counts[middle])
    return [middle for middle in ranked if counts[middle] >= MIN_COLUMN_ROWS][:MAX_GUTTERS]


def _row_gaps(row: Row[T], scale: _Scale) -> list[tuple[float, float]]:
    gaps = []
    right = row[0].box[2]
    for placed in row[1:]:
        if placed.box[0] - right >= scale.gutter:
            gaps.append((right, placed.box[0]))
        right = max(right, placed.box[2])
    return gaps


def _crosses(row: Row[T], x: float) -> bool:
    return any(placed.box[0] < x < placed.box[2] for placed in row)


def _is_text_column(rows: list[Row[T]], scale: _Scale) -> bool:
    """Rows of running text: wide, and (most of them) without a gutter-wide gap inside."""
    if len(rows) < MIN_COLUMN_ROWS:
        return False
    widths = [row[-1].box[2] - row[0].box[0] for row in rows]
    solid = sum(not _row_gaps(row, scale) for row in rows)
    return statistics.median(widths) >= MIN_COLUMN_WIDTH * scale.line and solid >= SOLID_ROWS * len(
        rows
    )
