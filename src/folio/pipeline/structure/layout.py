"""Page layout from word boxes: line pieces, page furniture, tables and reading order.

A *piece* is a run of words on one visual line, split where the horizontal gap is wide (a
column gutter or a table gap). Furniture (running headers, footers, page numbers, margin notes)
is marked, never deleted: its words keep their boxes and are reported separately. The body is
ordered by a recursive XY-cut that prefers column gutters, so a two-column page reads column by
column; tables found by :mod:`folio.pipeline.fields.tables` stay whole.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from folio.pipeline.fields.layout import Line, LWord, union
from folio.pipeline.fields.tables import tables_from_lines
from folio.pipeline.fields.types import BBox, Table
from folio.pipeline.types import DocumentResult, Page

# words and pieces
JOINED_HEIGHT = 1.8  # a word this many times the usual height spans two lines (hyphenated)
SPREAD_WIDTH = 0.9  # ... or is wider per letter than this share of its height
PIECE_GAP = 1.25  # a gap wider than this many text heights splits a line into pieces
OUTLIER_GAP = 3.0  # ... as does one over GUTTER heights and this many times the row's median
# furniture
MARGIN_ZONE = 0.12  # running headers and footers live in this share of the page height
EDGE_ZONE = 0.08  # an isolated line this close to the top or bottom edge is furniture
ISOLATION = 2.0  # ... when the gap to the body is this many body line heights
SMALL_FONT = 0.75  # a line in the margin zone at this share of the body font is furniture
# columns and reading order
GUTTER = 0.8  # the narrowest column gutter, in body line heights
GUTTER_WIDTH = 0.5  # a page-wide gutter is at least this many text heights wide
GUTTER_CROSSING = 0.1  # ... crossed by at most this share of the rows (titles, figures)
GUTTER_ROWS = 5  # ... with text on both sides of it in at least this many rows
GUTTER_SHARE = 0.2  # ... and this share of the page's rows
PROSE_WORDS = 3  # a piece with this many words is prose
PROSE_SHARE = 0.6  # a column whose words are mostly prose is a text column
BAND_GAP = 1.0  # a region splits at horizontal gaps this many body line heights tall
PEEL_ROWS = 3  # rows tried at either end of a region that does not split otherwise
MAX_DEPTH = 200  # XY-cut recursion; deeper regions read top to bottom
# tables
MAX_CELL_WORDS = 4  # a "table" with longer cells (median) is text columns side by side
NUMERIC_SHARE = 0.2  # ... as is one with fewer cells holding digits
PROSE_ROW_WORDS = 6  # ... and rows of this many words or more
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-\u2013\u2014(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-\u2013\u2014)\].]?"
    r"(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


@dataclass(eq=False)
class Piece:
    """Words on one visual line between wide gaps; ``words`` index ``page.words``."""

    page: int
    words: list[LWord]
    indexes: list[int]
    bbox: BBox
    furniture: bool = False

    @cached_property
    def source_bbox(self) -> BBox:
        """The union of the words' own boxes (``bbox`` is where layout placed them)."""
        return union([_own_box(word) for word in self.words])

    @cached_property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @cached_property
    def height(self) -> float:
        return statistics.median(word.bbox[3] - word.bbox[1] for word in self.words)


@dataclass(eq=False)
class TableItem:
    table: Table
    pieces: list[Piece]
    bbox: BBox


Item = Piece | TableItem


@dataclass
class PageLayout:
    page: Page
    body: list[list[Item]] = field(default_factory=list)  # regions in reading order
    furniture: list[Piece] = field(default_factory=list)
    body_height: float = 0.0  # median text height of the page's body lines


@dataclass
class _IndexedWord(LWord):
    index: int = -1
    source: BBox | None = None  # the word's own box, when ``bbox`` is moved for layout


def analyze_pages(result: DocumentResult) -> list[PageLayout]:
    """Every page's body regions in reading order, and its furniture."""
    pieces = {page.number: _pieces(page) for page in result.pages}
    repeated = _repeated_margin_texts(result, pieces)
    layouts = []
    for page in result.pages:
        page_pieces = pieces[page.number]
        height = _body_height(page_pieces)
        if page.words and page.height > 0:
            _mark_furniture(page, page_pieces, height, repeated)
        body: list[Item] = [piece for piece in page_pieces if not piece.furniture]
        layouts.append(
            PageLayout(
                page=page,
                body=xy_cut(body, height),
                furniture=[piece for piece in page_pieces if piece.furniture],
                body_height=height,
            )
        )
    return layouts


# --- pieces -------------------------------------------------------------------------------


def _pieces(page: Page) -> list[Piece]:
    words = [
        _IndexedWord(word.text, (*word.bbox,), page.number, word.confidence, index=index)
        for index, word in enumerate(page.words)
        if word.text.strip()
    ]
    if not words:
        return _text_pieces(page)
    upright = _fold_joined([word for word in words if not _vertical(word)])
    rows = group_rows(upright)
    gutters = _gutters(rows)
    pieces = [_piece(page.number, segment) for row in rows for segment in _split(row, gutters)]
    pieces += [
        _piece(page.number, [word], furniture=_in_side_margin(word, page))
        for word in words
        if _vertical(word)
    ]
    return pieces


def _fold_joined(words: list[_IndexedWord]) -> list[_IndexedWord]:
    """A word rejoined across a line-end hyphen has a box over two lines; for layout it counts
    at the end of the first of them (where its first half is), at the usual text height."""
    if not words:
        return words
    usual = statistics.median(word.bbox[3] - word.bbox[1] for word in words)
    tall = [
        word
        for word in words
        if word.bbox[3] - word.bbox[1] > JOINED_HEIGHT * usual
        and sum(c.isalpha() for c in word.text) >= 4
    ]
    for word in tall:
        x0, y0, x1, y1 = word.bbox
        wide = (x1 - x0) / len(word.text) > SPREAD_WIDTH * (y1 - y0)
        if not wide and any(_same_size_line(word, other) for other in tall if other is not word):
            continue  # large type (a title), not a word over two lines
        word.source = word.bbox
        word.bbox = (max(x0, x1 - usual), y0, x1, y0 + usual)
    return words


def _same_size_line(word: LWord, other: LWord) -> bool:
    height = word.bbox[3] - word.bbox[1]
    other_height = other.bbox[3] - other.bbox[1]
    overlap = min(word.bbox[3], other.bbox[3]) - max(word.bbox[1], other.bbox[1])
    return abs(height - other_height) < 0.15 * height and overlap > 0.8 * height


def _gutters(rows: list[list[LWord]]) -> list[tuple[float, float]]:
    """Vertical runs of white space that most rows leave empty and that have text on both
    sides in many rows: the gutters between columns, however narrow."""
    words = [word for row in rows for word in row]
    if len(rows) < 2 * GUTTER_ROWS:
        return []
    left = min(word.bbox[0] for word in words)
    right = max(word.bbox[2] for word in words)
    height = statistics.median(word.bbox[3] - word.bbox[1] for word in words)
    bins = max(1, int(right - left) + 1)
    covered = np.zeros(bins, dtype=np.int32)
    seen = np.zeros(bins, dtype=bool)
    for row in rows:
        seen[:] = False
        for word in row:
            seen[int(word.bbox[0] - left) : int(word.bbox[2] - left) + 1] = True
        covered += seen
    empty = np.concatenate(([False], covered <= max(1, GUTTER_CROSSING * len(rows)), [False]))
    edges = np.flatnonzero(np.diff(empty.astype(np.int8)))
    gutters = [
        (left + float(start), left + float(end))
        for start, end in zip(edges[0::2], edges[1::2], strict=True)
        if end - start >= GUTTER_WIDTH * height
    ]
    return [g for g in gutters if _both_sides(rows, g)]


def _both_sides(rows: list[list[LWord]], gutter: tuple[float, float]) -> bool:
    lo, hi = gutter
    both = sum(
        any(w.bbox[2] <= lo + 1 for w in row) and any(w.bbox[0] >= hi - 1 for w in row)
        for row in rows
    )
    return both >= max(GUTTER_ROWS, GUTTER_SHARE * len(rows))


def _split(row: list[LWord], gutters: list[tuple[float, float]]) -> list[list[LWord]]:
    """A row split at gaps wider than ``PIECE_GAP`` times the smaller of the two words' heights
    (two columns set in different sizes share rows), at a gap far wider than the row's usual
    word spacing, or at a gap over one of the page's column gutters."""
    gaps = [word.bbox[0] - previous.bbox[2] for previous, word in itertools.pairwise(row)]
    usual = statistics.median(gaps) if gaps else 0.0
    segments = [[row[0]]]
    for gap, (previous, word) in zip(gaps, itertools.pairwise(row), strict=True):
        height = min(previous.bbox[3] - previous.bbox[1], word.bbox[3] - word.bbox[1])
        wide = gap > PIECE_GAP * height or (gap > GUTTER * height and gap > OUTLIER_GAP * usual)
        if wide or (
            gap > GUTTER * height and _over_gutter(previous.bbox[2], word.bbox[0], gutters)
        ):
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


def _over_gutter(x0: float, x1: float, gutters: list[tuple[float, float]]) -> bool:
    return any(x0 <= (lo + hi) / 2 <= x1 for lo, hi in gutters)


def _own_box(word: LWord) -> BBox:
    if isinstance(word, _IndexedWord) and word.source is not None:
        return word.source
    return word.bbox


def _text_pieces(page: Page) -> list[Piece]:
    """Pages without boxes (plain text, office files): one piece per line, monospace boxes."""
    pieces = []
    for row, line in enumerate(page.text.splitlines()):
        if not line.strip():
            continue
        words = [LWord(token, (0.0, float(row), float(len(line)), row + 1.0), page.number)
                 for token in line.split()]  # fmt: skip
        pieces.append(Piece(page.number, words, [], (0.0, float(row), float(len(line)), row + 1.0)))
    return pieces


def _piece(number: int, words: list[LWord], *, furniture: bool = False) -> Piece:
    indexes = [word.index for word in words if isinstance(word, _IndexedWord)]
    return Piece(number, words, indexes, union([word.bbox for word in words]), furniture)


def _vertical(word: LWord) -> bool:
    x0, y0, x1, y1 = word.bbox
    return len(word.text) >= 3 and (y1 - y0) > 2 * (x1 - x0)


def _in_side_margin(word: LWord, page: Page) -> bool:
    return word.bbox[2] < 0.12 * page.width or word.bbox[0] > 0.88 * page.width


def group_rows(words: Sequence[LWord]) -> list[list[LWord]]:
    """Words in visual lines, top to bottom, each left to right."""
    rows: list[list[LWord]] = []
    spans: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        y0, y1 = word.bbox[1], word.bbox[3]
        for k in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            ry0, ry1 = spans[k]
            if same_line(y0, y1, ry0, ry1):
                rows[k].append(word)
                break
        else:
            rows.append([word])
            spans.append((y0, y1))
    for row in rows:
        row.sort(key=lambda w: w.bbox[0])
    return rows


def same_line(y0: float, y1: float, ry0: float, ry1: float) -> bool:
    """Each box holds the other's vertical centre: a large line beside two small ones (columns
    set in different sizes) joins neither."""
    centre, row_centre = (y0 + y1) / 2, (ry0 + ry1) / 2
    return ry0 <= centre <= ry1 and y0 <= row_centre <= y1


def _body_height(pieces: list[Piece]) -> float:
    heights = [piece.height for piece in pieces for _ in piece.words]
    return statistics.median(heights) if heights else 1.0


# --- furniture ----------------------------------------------------------------------------


def margin_key(text: str) -> str:
    """Text of a header or footer with its numbers normalised, to match it across pages."""
    return " ".join(_DIGITS.sub("#", text.casefold()).split())


def _in_margin(piece: Piece, page: Page, share: float) -> bool:
    return piece.bbox[3] <= share * page.height or piece.bbox[1] >= (1 - share) * page.height


def _repeated_margin_texts(result: DocumentResult, pieces: dict[int, list[Piece]]) -> set[str]:
    """Margin texts found on several pages: running headers and footers."""
    if len(result.pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for page in result.pages:
        keys = {margin_key(p.text) for p in pieces[page.number] if _in_margin(p, page, MARGIN_ZONE)}
        counts.update(key for key in keys if key)
    needed = max(2, round(len(result.pages) / 3))
    return {key for key, count in counts.items() if count >= needed}


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def _mark_furniture(page: Page, pieces: list[Piece], height: float, repeated: set[str]) -> None:
    rows = _margin_rows(page, pieces)
    for row in rows:
        if _furniture_row(row, page, height, repeated):
            for piece in row:
                piece.furniture = True
    _mark_isolated_edges(page, pieces, height)
    _mark_lone_page_number(pieces, height)
    _mark_outside_furniture(page, pieces)


def _margin_rows(page: Page, pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces in the margin zones grouped into visual rows."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (p.bbox[1] + p.bbox[3]) / 2):
        if piece.furniture or not _in_margin(piece, page, MARGIN_ZONE):
            continue
        centre = (piece.bbox[1] + piece.bbox[3]) / 2
        if rows and rows[-1][0].bbox[1] <= centre <= rows[-1][0].bbox[3]:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return rows


def _furniture_row(row: list[Piece], page: Page, height: float, repeated: set[str]) -> bool:
    if any(margin_key(piece.text) in repeated for piece in row):
        return True
    if margin_key(" ".join(piece.text for piece in row)) in repeated:
        return True
    if any(is_page_number(piece.text) for piece in row):
        return True  # a page number, alone or beside a running title
    row_height = max(piece.height for piece in row)
    edge = all(_in_margin(piece, page, EDGE_ZONE) for piece in row)
    return edge and row_height < SMALL_FONT * height


def _mark_isolated_edges(page: Page, pieces: list[Piece], height: float) -> None:
    """One or two lines at the very top or bottom, set well apart from the body."""
    body = sorted((p for p in pieces if not p.furniture), key=lambda p: p.bbox[1])
    if len(body) < 4:
        return
    for edge in (body, list(reversed(body))):
        top = edge is body
        group = [edge[0]]
        for piece in edge[1:]:
            gap = piece.bbox[1] - group[-1].bbox[3] if top else group[-1].bbox[1] - piece.bbox[3]
            if gap > ISOLATION * height:
                if len(_rows_of(group)) <= 2 and all(_in_margin(p, page, EDGE_ZONE) for p in group):
                    for p in group:
                        p.furniture = True
                break
            group.append(piece)
            if len(group) > 6:
                break


def _mark_lone_page_number(pieces: list[Piece], height: float) -> None:
    """A number alone on the last row, set apart from the text above (a short page's number)."""
    body = [p for p in pieces if not p.furniture]
    if len(body) < 2:
        return
    last = max(body, key=lambda p: p.bbox[1])
    above = [p for p in body if p is not last]
    if not is_page_number(last.text) or any(p.bbox[3] > last.bbox[1] for p in above):
        return
    if last.bbox[1] - max(p.bbox[3] for p in above) >= ISOLATION * height:
        last.furniture = True


def _rows_of(pieces: list[Piece]) -> list[float]:
    centres = sorted((p.bbox[1] + p.bbox[3]) / 2 for p in pieces)
    rows: list[float] = []
    for centre in centres:
        if not rows or centre - rows[-1] > 1.0:
            rows.append(centre)
    return rows


def _mark_outside_furniture(page: Page, pieces: list[Piece]) -> None:
    """Text between the page edge and a header (or a footer) is furniture too."""
    marked = [p for p in pieces if p.furniture and _in_margin(p, page, MARGIN_ZONE)]
    upper = [p.bbox[1] for p in marked if p.bbox[3] <= MARGIN_ZONE * page.height]
    lower = [p.bbox[3] for p in marked if p.bbox[1] >= (1 - MARGIN_ZONE) * page.height]
    header_edge = max(upper) if upper else None
    footer_edge = min(lower) if lower else None
    for piece in pieces:
        if header_edge is not None and piece.bbox[3] <= header_edge:
            piece.furniture = True
        if footer_edge is not None and piece.bbox[1] >= footer_edge:
            piece.furniture = True


# --- tables -------------------------------------------------------------------------------


def _with_tables(items: list[Item]) -> list[Item]:
    """A region's pieces, with those that form a table replaced by one table item."""
    pieces = [item for item in items if isinstance(item, Piece)]
    if len(pieces) < 4:
        return items
    number = pieces[0].page
    rows = group_rows_of_pieces(pieces)
    lines = [
        Line(number, [w for piece in row for w in piece.words], index, [p.words for p in row])
        for index, row in enumerate(rows)
    ]
    owner = {id(word): piece for piece in pieces for word in piece.words}
    found: list[Item] = [item for item in items if isinstance(item, TableItem)]
    used: set[int] = set()
    for table in tables_from_lines(lines):
        if not _is_table(table):
            continue
        members = [
            owner[id(word)]
            for line in lines
            if _inside(line.bbox, table.bbox)
            for word in line.words
        ]
        unique = list({id(piece): piece for piece in members}.values())
        if any(id(piece) in used for piece in unique):
            continue
        used.update(id(piece) for piece in unique)
        found.append(TableItem(table, unique, table.bbox))
    return found + [piece for piece in pieces if id(piece) not in used]


def group_rows_of_pieces(pieces: list[Piece]) -> list[list[Piece]]:
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: ((p.bbox[1] + p.bbox[3]) / 2, p.bbox[0])):
        y0, y1 = piece.bbox[1], piece.bbox[3]
        if rows:
            ry0 = min(p.bbox[1] for p in rows[-1])
            ry1 = max(p.bbox[3] for p in rows[-1])
            if same_line(y0, y1, ry0, ry1):
                rows[-1].append(piece)
                continue
        rows.append([piece])
    for row in rows:
        row.sort(key=lambda p: p.bbox[0])
    return rows


def _inside(box: BBox, outer: BBox) -> bool:
    return (
        box[0] >= outer[0] - 0.5
        and box[1] >= outer[1] - 0.5
        and box[2] <= outer[2] + 0.5
        and box[3] <= outer[3] + 0.5
    )


def _is_table(table: Table) -> bool:
    """Text columns side by side, or justified prose, look like a table to the detector: their
    cells are long, or their rows read as sentences with hardly a number."""
    cells = [cell.text for cell in table.cells if cell.text.strip()]
    if not cells or statistics.median(len(text.split()) for text in cells) > MAX_CELL_WORDS:
        return False
    numeric = sum(bool(_DIGITS.search(text)) for text in cells) / len(cells)
    words_per_row = sum(len(text.split()) for text in cells) / max(table.n_rows, 1)
    return numeric >= NUMERIC_SHARE or words_per_row < PROSE_ROW_WORDS


# --- reading order ------------------------------------------------------------------------


def xy_cut(items: list[Item], height: float, depth: int = 0) -> list[list[Item]]:
    """Regions in reading order: split at text-column gutters first, else at the widest
    horizontal gap; a region that splits no further reads top to bottom, left to right."""
    if len(items) <= 1:
        return [items] if items else []
    if depth < MAX_DEPTH:
        columns = _columns(items, height)
        if columns is not None:
            return [region for column in columns for region in xy_cut(column, height, depth + 1)]
        bands = _widest_band_split(items, height) or _peel(items, height)
        if bands is not None:
            return [region for band in bands for region in xy_cut(band, height, depth + 1)]
    return [_leaf_order(_with_tables(items))]


def _columns(items: list[Item], height: float) -> list[list[Item]] | None:
    ordered = sorted(items, key=lambda item: item.bbox[0])
    groups: list[list[Item]] = [[ordered[0]]]
    right = ordered[0].bbox[2]
    for item in ordered[1:]:
        if item.bbox[0] - right >= GUTTER * height:
            groups.append([item])
        else:
            groups[-1].append(item)
        right = max(right, item.bbox[2])
    if len(groups) < 2 or not all(_text_column(group) for group in groups):
        return None
    return groups


def _text_column(items: list[Item]) -> bool:
    pieces = [item for item in items if isinstance(item, Piece)]
    if len(pieces) < 2:
        return False
    words = sum(len(piece.words) for piece in pieces)
    prose = sum(len(piece.words) for piece in pieces if len(piece.words) >= PROSE_WORDS)
    return prose >= PROSE_SHARE * words


def _widest_band_split(items: list[Item], height: float) -> list[list[Item]] | None:
    ordered = sorted(items, key=lambda item: item.bbox[1])
    best_gap, best_at = 0.0, -1
    bottom = ordered[0].bbox[3]
    for index, item in enumerate(ordered[1:], start=1):
        gap = item.bbox[1] - bottom
        if gap > best_gap:
            best_gap, best_at = gap, index
        bottom = max(bottom, item.bbox[3])
    if best_at < 0 or best_gap < BAND_GAP * height:
        return None
    return [ordered[:best_at], ordered[best_at:]]


def _peel(items: list[Item], height: float) -> list[list[Item]] | None:
    """A line or two spanning a gutter at the top or bottom of a region (a title, a rule) are
    cut off when what remains splits into text columns."""
    ordered = sorted(items, key=lambda item: item.bbox[1])
    cuts, bottom = [], ordered[0].bbox[3]
    for index, item in enumerate(ordered[1:], start=1):
        if item.bbox[1] > bottom:
            cuts.append(index)
        bottom = max(bottom, item.bbox[3])
    for at in cuts[:PEEL_ROWS] + cuts[-PEEL_ROWS:][::-1]:
        upper, lower = ordered[:at], ordered[at:]
        if _columns(lower, height) is not None or _columns(upper, height) is not None:
            return [upper, lower]
    return None


def _leaf_order(items: list[Item]) -> list[Item]:
    pieces = [item for item in items if isinstance(item, Piece)]
    tables = [item for item in items if isinstance(item, TableItem)]
    ordered: list[Item] = [piece for row in group_rows_of_pieces(pieces) for piece in row]
    for table in tables:  # tables go before the first piece below their top
        at = next((i for i, item in enumerate(ordered) if item.bbox[1] >= table.bbox[1]), None)
        ordered.insert(len(ordered) if at is None else at, table)
    return ordered
