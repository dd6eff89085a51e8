"""Tables from word boxes: runs of lines split into aligned gap-separated segments.

Works the same on text-layer PDFs, OCR pages and plain text (monospace boxes). Columns are
anchored on the row with the most segments; every other segment joins the column it
overlaps most (or the nearest one).
"""

from __future__ import annotations

import re

from folio.pipeline.fields.layout import Line, LWord, document_lines, union
from folio.pipeline.fields.types import BBox, Cell, Table
from folio.pipeline.types import DocumentResult

MAX_SINGLE_LINES = 3


def find_tables(result: DocumentResult) -> list[Table]:
    return tables_from_lines(document_lines(result))


def tables_from_lines(lines: list[Line]) -> list[Table]:
    tables = []
    for run in _runs(lines):
        table = _build(run)
        if table is not None:
            tables.append(table)
    return tables


def _runs(lines: list[Line]) -> list[list[Line]]:
    runs: list[list[Line]] = []
    current: list[Line] = []
    singles = 0
    for line in lines:
        multi = len(line.segments) >= 2
        if current and (line.page != current[-1].page or _gap(current[-1], line) > 2.5):
            runs.append(current)
            current, singles = [], 0
        if multi:
            current.append(line)
            singles = 0
        elif current:
            singles += 1
            if singles > MAX_SINGLE_LINES:
                runs.append(current)
                current, singles = [], 0
            else:
                current.append(line)
    if current:
        runs.append(current)
    return [_trim(run) for run in runs if sum(len(r.segments) >= 2 for r in run) >= 2]


def _gap(a: Line, b: Line) -> float:
    return (b.bbox[1] - a.bbox[3]) / max(a.height, 1e-6)


def _trim(run: list[Line]) -> list[Line]:
    while run and len(run[-1].segments) < 2:
        run = run[:-1]
    return run


def _columns(run: list[Line]) -> list[tuple[float, float]]:
    anchor = max(run, key=lambda line: (len(line.segments), -line.index))
    cols = [(seg[0].bbox[0], seg[-1].bbox[2]) for seg in anchor.segments]
    for line in run:
        for seg in line.segments:
            x0, x1 = seg[0].bbox[0], seg[-1].bbox[2]
            if all(min(x1, c1) - max(x0, c0) <= 0 for c0, c1 in cols):
                cols.append((x0, x1))
    return sorted(cols)


def _assign(seg: list[LWord], cols: list[tuple[float, float]]) -> int:
    x0, x1 = seg[0].bbox[0], seg[-1].bbox[2]
    overlaps = [min(x1, c1) - max(x0, c0) for c0, c1 in cols]
    best = max(range(len(cols)), key=lambda i: overlaps[i])
    if overlaps[best] > 0:
        return best
    centre = (x0 + x1) / 2
    return min(range(len(cols)), key=lambda i: abs((cols[i][0] + cols[i][1]) / 2 - centre))


def _spans_columns(seg: list[LWord], cols: list[tuple[float, float]]) -> bool:
    """A segment that covers several columns is split word by word."""
    x0, x1 = seg[0].bbox[0], seg[-1].bbox[2]
    return sum(min(x1, c1) - max(x0, c0) > 0 for c0, c1 in cols) > 1 and len(seg) > 1


def _build(run: list[Line]) -> Table | None:
    cols = _columns(run)
    if len(cols) < 2:
        return None
    cells: list[Cell] = []
    for r, line in enumerate(run):
        grouped: dict[int, list[LWord]] = {}
        for seg in line.segments:
            pieces = [[w] for w in seg] if _spans_columns(seg, cols) else [seg]
            for piece in pieces:
                grouped.setdefault(_assign(piece, cols), []).extend(piece)
        for c, words in sorted(grouped.items()):
            text = " ".join(w.text for w in words)
            cells.append(Cell(row=r, column=c, text=text, bbox=union([w.bbox for w in words])))
    boxes: list[BBox] = [line.bbox for line in run]
    table = Table(
        page=run[0].page,
        bbox=union(boxes),
        n_rows=len(run),
        n_columns=len(cols),
        cells=cells,
    )
    table.header_row = _header_row(table)
    return table


def _numeric(text: str) -> bool:
    return bool(re.search(r"\d", text))


def _header_row(table: Table) -> int | None:
    """The row with the most text cells above the first row holding numbers."""
    grid = table.grid()
    first_data = next(
        (
            i
            for i, row in enumerate(grid)
            if sum(bool(c) for c in row) >= 2 and any(_numeric(c) for c in row)
        ),
        None,
    )
    if not first_data:
        return None
    scored = []
    for i, row in enumerate(grid[:first_data]):
        texts = [c for c in row if c]
        if len(texts) >= 2 and sum(_numeric(c) for c in texts) <= len(texts) / 3:
            scored.append((len(texts), i))
    return max(scored)[1] if scored else None
