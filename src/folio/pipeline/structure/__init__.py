"""Document structure from word boxes: page furniture, reading order, blocks, Markdown, chunks.

- ``layout``: line pieces, headers/footers/page numbers (marked, never dropped), tables, and
  the reading order of columns (XY-cut).
- ``blocks``: headings, paragraphs, list items and tables in reading order.
- ``markdown``: the blocks as Markdown; ``chunks``: the blocks packed into retrieval chunks.
"""

from folio.pipeline.structure.blocks import (
    Block,
    BlockKind,
    DocumentStructure,
    SourceBox,
    document_structure,
)
from folio.pipeline.structure.chunks import Chunk, chunk_document, chunk_structure, count_tokens
from folio.pipeline.structure.markdown import render_markdown, to_markdown

__all__ = [
    "Block",
    "BlockKind",
    "Chunk",
    "DocumentStructure",
    "SourceBox",
    "chunk_document",
    "chunk_structure",
    "count_tokens",
    "document_structure",
    "render_markdown",
    "to_markdown",
]
