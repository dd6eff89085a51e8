"""Retrieval chunks that follow the document's structure.

Blocks (see :mod:`folio.pipeline.structure.blocks`) are packed in reading order into chunks of
at most ``max_tokens`` tokens. A heading starts a new chunk and sets the heading path of the
chunks under it; paragraphs, list items and tables are never split while they fit in a chunk
of their own. A longer block is cut between its lines (between words for a single long line; a
table between rows, repeating its header row), and consecutive pieces of it share up to
``overlap`` tokens. Each chunk carries its pages and the boxes of the text it came from.

Tokens are counted by :func:`count_tokens`: runs of letters/digits and single punctuation
marks (``\\w+|[^\\w\\s]``). That approximates sub-word tokenisers on English prose within a
few tens of percent (it undercounts long rare words, overcounts numbers with separators); it
needs no model and is the same everywhere Folio counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from folio.pipeline.fields.types import Table
from folio.pipeline.structure.blocks import (
    Block,
    BlockKind,
    DocumentStructure,
    SourceBox,
    document_structure,
    join_lines,
)
from folio.pipeline.structure.markdown import render_block, render_table
from folio.pipeline.types import DocumentResult

_TOKEN = re.compile(r"\w+|[^\w\s]")
MIN_TOKENS = 16


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


@dataclass
class Chunk:
    text: str
    tokens: int
    headings: list[str]
    pages: list[int]
    boxes: list[SourceBox] = field(default_factory=list)


@dataclass
class _Unit:
    """The smallest thing a chunk is made of: a block, or a piece of one that is too long."""

    text: str
    tokens: int
    sources: list[SourceBox]
    block: int  # position of its block, to keep a block's pieces together


def chunk_document(result: DocumentResult, max_tokens: int = 512, overlap: int = 0) -> list[Chunk]:
    return chunk_structure(document_structure(result), max_tokens, overlap)


def chunk_structure(
    structure: DocumentStructure, max_tokens: int = 512, overlap: int = 0
) -> list[Chunk]:
    if max_tokens < MIN_TOKENS:
        raise ValueError(f"max_tokens must be at least {MIN_TOKENS}")
    if not 0 <= overlap < max_tokens // 2:
        raise ValueError("overlap must be at least 0 and less than half of max_tokens")
    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    current: list[_Unit] = []
    for position, block in enumerate(structure.blocks):
        if block.kind is BlockKind.heading:
            chunks += _close(current, path)
            current = []
            path = [(level, text) for level, text in path if level < block.level]
            path.append((block.level, block.text))
        units = list(_units(block, position, max_tokens, overlap))
        for unit in units:
            if current and sum(u.tokens for u in current) + unit.tokens > max_tokens:
                chunks += _close(current, path)
                current = _carry(current, unit, overlap, max_tokens)
            current.append(unit)
    return chunks + _close(current, path)


def _units(block: Block, position: int, max_tokens: int, overlap: int) -> Iterator[_Unit]:
    text = render_block(block) if block.kind is BlockKind.table else block.text
    if block.kind is BlockKind.heading:
        text = "#" * max(1, block.level) + " " + text
    tokens = count_tokens(text)
    if tokens <= max_tokens:
        yield _Unit(text, tokens, block.sources, position)
        return
    if block.kind is BlockKind.table and block.table is not None:
        pieces = list(_table_units(block, position, max_tokens))
    else:
        pieces = [
            _Unit(line, count_tokens(line), sources, position)
            for line, sources in zip(block.lines, block.line_sources, strict=True)
        ]
    for piece in pieces:
        yield from _fit(piece, max_tokens)


def _fit(unit: _Unit, max_tokens: int) -> Iterator[_Unit]:
    """A unit longer than a chunk, cut between words."""
    if unit.tokens <= max_tokens:
        yield unit
        return
    words: list[str] = []
    for word in unit.text.split(" "):
        if words and count_tokens(" ".join([*words, word])) > max_tokens:
            joined = " ".join(words)
            yield _Unit(joined, count_tokens(joined), unit.sources, unit.block)
            words = []
        words.append(word)
    if words:
        joined = " ".join(words)
        yield _Unit(joined, count_tokens(joined), unit.sources, unit.block)


def _table_units(block: Block, position: int, max_tokens: int) -> Iterator[_Unit]:
    """A table too long for one chunk: runs of rows, each under the header row."""
    assert block.table is not None
    table = block.table
    header = table.header_row if table.header_row is not None else 0
    run: list[int] = []
    for row in (r for r in range(table.n_rows) if r != header):
        if run and count_tokens(render_table(_rows(table, header, [*run, row]))) > max_tokens:
            yield _table_unit(block, position, header, run)
            run = []
        run.append(row)
    if run:
        yield _table_unit(block, position, header, run)


def _table_unit(block: Block, position: int, header: int, rows: list[int]) -> _Unit:
    """Rows of a table under its header, with the boxes of the line pieces in those rows."""
    assert block.table is not None
    text = render_table(_rows(block.table, header, rows))
    spans = [
        (cell.bbox[1], cell.bbox[3])
        for cell in block.table.cells
        if cell.row in {header, *rows} and cell.bbox is not None
    ]
    sources = [
        source
        for source in block.sources
        if any(top <= (source.bbox[1] + source.bbox[3]) / 2 <= bottom for top, bottom in spans)
    ]
    return _Unit(text, count_tokens(text), sources or block.sources, position)


def _rows(table: Table, header: int, rows: list[int]) -> Table:
    keep = [header, *rows]
    cells = [
        cell.model_copy(update={"row": keep.index(cell.row)})
        for cell in table.cells
        if cell.row in keep
    ]
    return table.model_copy(update={"cells": cells, "n_rows": len(keep), "header_row": 0})


def _carry(units: list[_Unit], next_unit: _Unit, overlap: int, max_tokens: int) -> list[_Unit]:
    """The tail of the closed chunk that the next one repeats: whole lines of the same block,
    at most ``overlap`` tokens, leaving room for ``next_unit``."""
    if not overlap:
        return []
    carried: list[_Unit] = []
    budget = min(overlap, max_tokens - next_unit.tokens)
    for unit in reversed(units):
        if unit.block != next_unit.block or unit.tokens > budget:
            break
        carried.insert(0, unit)
        budget -= unit.tokens
    return carried


def _close(units: list[_Unit], path: list[tuple[int, str]]) -> list[Chunk]:
    if not units:
        return []
    parts: list[str] = []
    for index, unit in enumerate(units):
        same_block = index and units[index - 1].block == unit.block
        if same_block and not unit.text.startswith("|"):
            parts[-1] = join_lines([parts[-1], unit.text])
        else:
            parts.append(unit.text)
    text = "\n\n".join(parts)
    sources = list(dict.fromkeys(source for unit in units for source in unit.sources))
    return [
        Chunk(
            text=text,
            tokens=count_tokens(text),
            headings=[heading for _, heading in path],
            pages=sorted({source.page for source in sources}),
            boxes=sources,
        )
    ]
