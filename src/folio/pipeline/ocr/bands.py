"""Where a page can be cut in two, so that two Tesseract readers share it.

Tesseract reads a page on one core. A large page cut across a blank gap between two lines of
single-column text reads as well in two halves, one per core, and in about 60 % of the time.
The cut must not cross columns or a table: the halves would read the top of every column
before the bottom of any. So the gap must be blank across the page, and the lines around it
must show no white stripe running down through most of them (a gutter, or a table's column
gap), which the words of running text, spaced differently on each line, never line up into.
"""

from __future__ import annotations

import os
from itertools import pairwise

import numpy as np
from PIL import Image

MIN_SPLIT_PIXELS = 4_000_000  # an A4 page at 240 dpi; smaller pages read in a second anyway
INK_LEVEL = 128  # grey levels below this are ink
MIN_LINES = 6
MIDDLE = (0.3, 0.7)  # the cut lies in this part of the page height, nearest its middle
MIN_GAP_LINES = 0.2  # a gap between lines, in line heights (touching lines are not cut)
NEIGHBOURHOOD_LINES = 8  # lines within this many line heights of a cut are checked
STRIPE_SHARE = 0.6  # a stripe white in this share of the lines nearby is a gutter…
STRIPE_LINES = 0.3  # …when it is at least this wide, in line heights

Runs = list[tuple[int, int]]


def can_split() -> bool:
    """Two cores for this process to read with."""
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # not on Linux
        return (os.cpu_count() or 1) >= 2


def split_row(image: Image.Image) -> int | None:
    """The pixel row to cut ``image`` at, or None where no cut is safe or worth it."""
    if image.width * image.height < MIN_SPLIT_PIXELS:
        return None
    ink = np.asarray(image.convert("L")) < INK_LEVEL
    lines = _runs(ink.sum(axis=1) > max(1, ink.shape[1] // 500))
    if len(lines) < MIN_LINES:
        return None
    line_height = float(np.median([end - start for start, end in lines]))
    height = ink.shape[0]
    reach = NEIGHBOURHOOD_LINES * line_height
    for y in _gaps_from_middle(lines, line_height, height):
        nearby = [line for line in lines if abs(sum(line) / 2 - y) < reach]
        if not _columned(ink, nearby, line_height):
            return y
    return None


def _gaps_from_middle(lines: Runs, line_height: float, height: int) -> list[int]:
    """Rows midway between consecutive lines far enough apart, nearest the middle first."""
    low, high = MIDDLE[0] * height, MIDDLE[1] * height
    gaps = [
        (above_end + below_start) // 2
        for (_, above_end), (below_start, _) in pairwise(lines)
        if below_start - above_end >= max(3.0, MIN_GAP_LINES * line_height)
    ]
    return sorted((y for y in gaps if low < y < high), key=lambda y: abs(y - height / 2))


def _columned(ink: np.ndarray, lines: Runs, line_height: float) -> bool:
    """A vertical white stripe inside most of ``lines``: columns, or a table."""
    width = ink.shape[1]
    votes = np.zeros(width, dtype=np.int32)
    counted = 0
    for start, end in lines:
        inked: np.ndarray = np.any(ink[start:end], axis=0)
        xs = np.flatnonzero(inked)
        if len(xs) < 2:
            continue
        votes[xs[0] : xs[-1] + 1] += ~inked[xs[0] : xs[-1] + 1]
        counted += 1
    if not counted:
        return False
    stripe = votes >= STRIPE_SHARE * counted
    widest = max((end - start for start, end in _runs(stripe)), default=0)
    return widest >= STRIPE_LINES * line_height


def _runs(mask: np.ndarray) -> Runs:
    """``(start, end)`` of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
