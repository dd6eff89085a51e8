"""Blocks of a document in reading order: headings, paragraphs, list items and tables.

Built from :func:`folio.pipeline.structure.layout.analyze_pages`. Font size is read from the
height of the words' boxes (PDF text layers give font-height boxes, OCR gives glyph boxes), so
a heading is a short block set clearly larger than the body, or a short numbered or capitalised
line standing alone.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from enum import StrEnum

from folio.pipeline.fields.types import BBox, Table
from folio.pipeline.structure.layout import (
    Item,
    PageLayout,
    Piece,
    TableItem,
    analyze_pages,
    same_line,
)
from folio.pipeline.types import DocumentResult

HEADING_SIZE = 1.15  # a block this much larger than the body text is a heading
MAX_HEADING_WORDS = 20
MAX_HEADING_LINES = 3
PARAGRAPH_GAP = 0.6  # a vertical gap this many line heights starts a new paragraph
SIZE_CHANGE = 1.15
BULLET = re.compile(
    r"^(?:[\u2022\u25e6\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u2023\u2043\u2219\u00b7]\s*"
    r"|[*\-\u2013\u2014]\s+)"
)  # bullet signs; a dash or star only before a space
_NUMBERED_ITEM = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s")
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-Z]\.)\s+\S")
_LETTER = re.compile(r"[^\W\d_]")


class BlockKind(StrEnum):
    heading = "heading"
    paragraph = "paragraph"
    list_item = "list_item"
    table = "table"


@dataclass(frozen=True)
class SourceBox:
    """Where a block's text is on the page: one box per line piece."""

    page: int
    bbox: BBox
    words: tuple[int, ...]  # indexes into the page's ``words``


@dataclass
class Block:
    kind: BlockKind
    page: int
    lines: list[str]
    line_sources: list[list[SourceBox]]  # the boxes of each line
    height: float = 0.0  # median text height
    level: int = 0  # headings: 1 (largest) to 6
    table: Table | None = None

    @property
    def text(self) -> str:
        return join_lines(self.lines)

    @property
    def sources(self) -> list[SourceBox]:
        return [source for line in self.line_sources for source in line]

    @property
    def pages(self) -> list[int]:
        return sorted({source.page for source in self.sources})


@dataclass
class DocumentStructure:
    blocks: list[Block]
    furniture: list[SourceBox] = field(default_factory=list)
    furniture_text: list[str] = field(default_factory=list)
    body_height: float = 0.0


def document_structure(result: DocumentResult) -> DocumentStructure:
    layouts = analyze_pages(result)
    heights = [
        item.height
        for layout in layouts
        for region in layout.body
        for item in region
        if isinstance(item, Piece)
        for _ in item.words
    ]
    body = statistics.median(heights) if heights else 1.0
    blocks = _join_across_pages([_page_blocks(layout) for layout in layouts])
    _classify(blocks, body)
    furniture = [piece for layout in layouts for piece in layout.furniture]
    return DocumentStructure(
        blocks=blocks,
        furniture=[_source(piece) for piece in furniture],
        furniture_text=[piece.text for piece in furniture],
        body_height=body,
    )


def _join_across_pages(pages: list[list[Block]]) -> list[Block]:
    """A paragraph cut by a page break (no closing punctuation, the next page's first paragraph
    starting in lower case) continues as one block."""
    blocks: list[Block] = []
    for page in pages:
        if blocks and page and _continues(blocks[-1], page[0]):
            blocks[-1].lines += page[0].lines
            blocks[-1].line_sources += page[0].line_sources
            page = page[1:]
        blocks += page
    return blocks


def _continues(before: Block, after: Block) -> bool:
    if before.kind is not BlockKind.paragraph or after.kind is not BlockKind.paragraph:
        return False
    end, start = before.text.rstrip(), after.text.lstrip()
    return bool(end and start) and end[-1] not in ".!?:;" and start[0].islower()


def join_lines(lines: list[str]) -> str:
    """Lines of a paragraph as one text, rejoining words hyphenated at a line end."""
    text = ""
    for line in lines:
        line = line.strip()
        if not text:
            text = line
        elif (
            text.endswith("-") and len(text) > 1 and _LETTER.match(text[-2]) and line[:1].islower()
        ):
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return text


def _source(piece: Piece) -> SourceBox:
    return SourceBox(piece.page, piece.source_bbox, tuple(piece.indexes))


# --- lines and paragraphs -----------------------------------------------------------------


@dataclass
class _Line:
    pieces: list[Piece]

    @property
    def bbox(self) -> BBox:
        boxes = [piece.bbox for piece in self.pieces]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    @property
    def text(self) -> str:
        return " ".join(piece.text for piece in self.pieces)

    @property
    def height(self) -> float:
        return statistics.median(w.bbox[3] - w.bbox[1] for p in self.pieces for w in p.words)


def _page_blocks(layout: PageLayout) -> list[Block]:
    items = [item for region in layout.body for item in region]
    blocks: list[Block] = []
    current: list[_Line] = []
    for entry in _lines(items):
        if isinstance(entry, TableItem):
            blocks += _flush(current)
            current = []
            blocks.append(_table_block(entry))
            continue
        if current and _breaks(current[-1], entry):
            blocks += _flush(current)
            current = []
        current.append(entry)
    return blocks + _flush(current)


def _lines(items: list[Item]) -> list[_Line | TableItem]:
    """Consecutive pieces on one visual row make one line."""
    lines: list[_Line | TableItem] = []
    for item in items:
        if isinstance(item, TableItem):
            lines.append(item)
            continue
        last = lines[-1] if lines else None
        if isinstance(last, _Line) and _same_row(last.pieces[-1], item):
            last.pieces.append(item)
        else:
            lines.append(_Line([item]))
    return lines


def _same_row(left: Piece, right: Piece) -> bool:
    a, b = left.bbox, right.bbox
    return b[0] >= a[2] and same_line(b[1], b[3], a[1], a[3])


def _breaks(previous: _Line, line: _Line) -> bool:
    a, b = previous.bbox, line.bbox
    height = max(previous.height, line.height)
    if b[1] < a[1] - 0.5 * height:
        return True  # moved up: a new column
    if b[1] - a[3] > PARAGRAPH_GAP * height:
        return True
    if b[0] > a[2] or b[2] < a[0]:
        return True  # no horizontal overlap
    ratio = max(previous.height, line.height) / max(min(previous.height, line.height), 1e-6)
    if ratio > SIZE_CHANGE:
        return True
    return _list_start(line.text)


def _list_start(text: str) -> bool:
    return bool(BULLET.match(text) and len(text) > 2) or bool(_NUMBERED_ITEM.match(text))


def _flush(lines: list[_Line]) -> list[Block]:
    if not lines:
        return []
    kind = BlockKind.list_item if _list_start(lines[0].text) else BlockKind.paragraph
    return [
        Block(
            kind=kind,
            page=lines[0].pieces[0].page,
            lines=[line.text for line in lines],
            line_sources=[[_source(piece) for piece in line.pieces] for line in lines],
            height=statistics.median(line.height for line in lines),
        )
    ]


def _table_block(item: TableItem) -> Block:
    rows = item.table.n_rows
    return Block(
        kind=BlockKind.table,
        page=item.table.page,
        lines=[" ".join(row) for row in item.table.grid()],
        line_sources=[[_source(piece) for piece in item.pieces]] + [[] for _ in range(1, rows)],
        height=statistics.median(piece.height for piece in item.pieces),
        table=item.table,
    )


# --- headings -----------------------------------------------------------------------------


def _classify(blocks: list[Block], body: float) -> None:
    sizes = sorted(
        {round(block.height, 1) for block in blocks if _large_heading(block, body)}, reverse=True
    )
    levels = _size_levels(sizes)
    deeper = len(set(levels.values())) + 1  # standalone headings rank below sized ones
    for block in blocks:
        if _large_heading(block, body):
            block.kind = BlockKind.heading
            block.level = levels[round(block.height, 1)]
        elif _standalone_heading(block):
            block.kind = BlockKind.heading
            number = block.text.split()[0]
            block.level = min(6, deeper + number.rstrip(".").count("."))


def _size_levels(sizes: list[float]) -> dict[float, int]:
    """Heading sizes within 8% of each other share a level; at most three levels by size."""
    levels: dict[float, int] = {}
    level, anchor = 0, None
    for size in sizes:
        if anchor is None or size < anchor * 0.92:
            level, anchor = min(level + 1, 3), size
        levels[size] = level
    return levels


def _large_heading(block: Block, body: float) -> bool:
    if block.kind is BlockKind.table or len(block.lines) > MAX_HEADING_LINES:
        return False
    words = block.text.split()
    return (
        block.height >= HEADING_SIZE * body
        and 0 < len(words) <= MAX_HEADING_WORDS
        and _wordy(block.text)
    )


def _wordy(text: str) -> bool:
    """Mostly letters, with a word of three or more: not a formula or a number."""
    visible = "".join(text.split())
    letters = len(_LETTER.findall(visible))
    return letters >= 0.5 * len(visible) and any(len(_LETTER.findall(w)) >= 3 for w in text.split())


def _standalone_heading(block: Block) -> bool:
    """A single short line: "2.1 Methods", "III. RESULTS", "REFERENCES"."""
    if block.kind is BlockKind.table or len(block.lines) != 1:
        return False
    text = block.text
    words = text.split()
    if not 1 <= len(words) <= 10 or (text.endswith((".", ",", ";", ":")) and not text.isupper()):
        return False
    letters = _LETTER.findall(text)
    if len(letters) < 3:
        return False
    if _SECTION_NUMBER.match(text) and block.kind is BlockKind.paragraph:
        return words[0][0].isdigit() and any(w[:1].isupper() for w in words[1:])
    return text.isupper() and len(words) <= 6
