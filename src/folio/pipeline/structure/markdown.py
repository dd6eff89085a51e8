"""A processed document as Markdown, in reading order, without page furniture.

Headings become ``#`` lines, paragraphs one line each (hyphenation at line ends undone), list
items ``-`` or their own number, tables GitHub-style pipe tables. Pages are separated by a blank
line only, as docling's export does; text that Markdown would read as markup is escaped.
"""

from __future__ import annotations

import re

from folio.pipeline.fields.types import Table
from folio.pipeline.structure.blocks import (
    BULLET,
    Block,
    BlockKind,
    DocumentStructure,
    document_structure,
)
from folio.pipeline.types import DocumentResult

_QUOTE_PAIRS = {"\u2018\u2018": "\u201c", "\u2019\u2019": "\u201d", "``": "\u201c"}
_LEADING_MARKUP = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s)")


def to_markdown(result: DocumentResult) -> str:
    return render_markdown(document_structure(result))


def render_markdown(structure: DocumentStructure) -> str:
    parts = [render_block(block) for block in structure.blocks]
    return "\n\n".join(part for part in parts if part) + ("\n" if parts else "")


def render_block(block: Block) -> str:
    if block.kind is BlockKind.table and block.table is not None:
        return render_table(block.table)
    text = block.text
    if block.kind is BlockKind.heading:
        return f"{'#' * max(1, block.level)} {_inline(text)}"
    if block.kind is BlockKind.list_item:
        bullet = BULLET.match(text)
        if bullet:
            return f"- {_inline(text[bullet.end() :])}"
        return _inline(text)  # "1. text" or "a) text" is already Markdown (or plain text)
    return _escape_start(_inline(text))


def render_table(table: Table) -> str:
    grid = table.grid()
    if not grid:
        return ""
    header_at = table.header_row if table.header_row is not None else 0
    rows = [[_cell(text) for text in row] for row in grid]
    header = rows[header_at]
    body = rows[:header_at] + rows[header_at + 1 :]
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(row) for row in body]
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _inline(text: str) -> str:
    """Characters that would start emphasis or code are escaped; the rest stays readable.
    Paired single quotes (how TeX sets double quotes) become double quotes."""
    text = " ".join(text.split())
    for pair, double in _QUOTE_PAIRS.items():
        text = text.replace(pair, double)
    return re.sub(r"([\\`*_<>\[\]])", r"\\\1", text)


def _escape_start(text: str) -> str:
    """A paragraph that starts like a heading, quote or list is escaped to stay a paragraph."""
    match = _LEADING_MARKUP.match(text)
    if match is None:
        return text
    if text[0].isdigit():
        mark = match.end() - 2  # the "." or ")" after the number
        return f"{text[:mark]}\\{text[mark:]}"
    return "\\" + text
