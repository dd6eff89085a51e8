"""Office Open XML: DOCX (paragraphs, tables), XLSX (a page per sheet), PPTX (a page per slide)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import docx
import openpyxl
import pptx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.shapes.group import GroupShape

from folio.pipeline.errors import DocumentTooLarge
from folio.pipeline.formats import ExtractContext, Extraction, Properties, clean_field
from folio.pipeline.pages import native_pages, paginate_text
from folio.pipeline.types import Limits


def unpacked_limit(limits: Limits, packed: int) -> int:
    """What a file of ``packed`` bytes may unpack to: a ratio of its size, with a floor for
    small files and an absolute cap. Parsing costs time and memory per unpacked byte."""
    allowed = max(limits.unpacked_floor_bytes, int(limits.max_unpacked_ratio * packed))
    return min(allowed, limits.max_unpacked_bytes)


def check_archive(ctx: ExtractContext) -> None:
    """Refuse ZIP bombs: the declared unpacked size bounds what the parsers may inflate
    (zipfile checks the declared sizes while inflating)."""
    with zipfile.ZipFile(ctx.path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    limit = unpacked_limit(ctx.options.limits, ctx.path.stat().st_size)
    if unpacked > limit:
        raise DocumentTooLarge(f"The file unpacks to {unpacked} bytes; the limit is {limit}")


# --- DOCX -------------------------------------------------------------------------------


def extract_docx(ctx: ExtractContext) -> Extraction:
    check_archive(ctx)
    document = docx.Document(str(ctx.path))
    blocks = [_docx_block_text(block) for block in document.iter_inner_content()]
    pages = native_pages(paginate_text("\n".join(block for block in blocks if block)))
    ctx.check_page_count(len(pages))
    ctx.report_pages(pages)
    return Extraction(pages=pages, properties=_core_properties(document.core_properties))


def _docx_block_text(block: Paragraph | DocxTable) -> str:
    if isinstance(block, Paragraph):
        return block.text
    return "\n".join(_docx_row_texts(block))


def _docx_row_texts(table: DocxTable) -> Iterator[str]:
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:  # a merged cell repeats: keep its first occurrence
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(cell.text.split()))
        if any(cells):
            yield "\t".join(cells)


# --- XLSX -------------------------------------------------------------------------------


def extract_xlsx(ctx: ExtractContext) -> Extraction:
    check_archive(ctx)
    workbook = openpyxl.load_workbook(ctx.path, read_only=True, data_only=True)
    try:
        sheets = workbook.worksheets
        ctx.check_page_count(len(sheets), "sheets")
        texts = []
        for number, sheet in enumerate(sheets, start=1):
            texts.append(_sheet_text(sheet))
            ctx.progress.pages(number, len(sheets))
        properties = _core_properties(workbook.properties)
    finally:
        workbook.close()
    return Extraction(pages=native_pages(texts), properties=properties)


def _sheet_text(sheet: Any) -> str:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # stored dimensions can be wrong; read every row
    lines = []
    for row in sheet.iter_rows(values_only=True):
        cells = [_cell_text(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return "\n".join(lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return " ".join(str(value).split())


# --- PPTX -------------------------------------------------------------------------------


def extract_pptx(ctx: ExtractContext) -> Extraction:
    check_archive(ctx)
    presentation = pptx.Presentation(str(ctx.path))
    slides = list(presentation.slides)
    ctx.check_page_count(len(slides), "slides")
    texts = []
    for number, slide in enumerate(slides, start=1):
        texts.append(_slide_text(slide))
        ctx.progress.pages(number, len(slides))
    return Extraction(
        pages=native_pages(texts), properties=_core_properties(presentation.core_properties)
    )


def _slide_text(slide: Any) -> str:
    parts = [text for text in _shapes_text(slide.shapes) if text]
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            parts.append(_frame_text(notes.text))
    return "\n".join(parts)


def _shapes_text(shapes: Iterable[BaseShape]) -> Iterator[str]:
    """Text of shapes top to bottom, left to right; groups are entered."""
    for shape in sorted(shapes, key=lambda item: (item.top or 0, item.left or 0)):
        if isinstance(shape, GroupShape):
            yield from _shapes_text(shape.shapes)
        if isinstance(shape, Shape) and shape.has_text_frame:
            yield _frame_text(shape.text_frame.text)
        if isinstance(shape, GraphicFrame) and shape.has_table:
            yield "\n".join(_pptx_table_rows(shape.table))


def _pptx_table_rows(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells = [" ".join(cell.text.split()) for cell in row.cells]
        if any(cells):
            yield "\t".join(cells)


def _frame_text(text: str) -> str:
    return text.replace("\v", "\n").strip()


# --- shared -----------------------------------------------------------------------------


def _core_properties(core: Any) -> Properties:
    """OOXML core properties (python-docx, python-pptx and openpyxl name them alike)."""
    return Properties(
        title=clean_field(getattr(core, "title", None)),
        author=clean_field(getattr(core, "author", None) or getattr(core, "creator", None)),
        subject=clean_field(getattr(core, "subject", None)),
        created_at=_utc(getattr(core, "created", None)),
        modified_at=_utc(getattr(core, "modified", None)),
    )


def _utc(value: object) -> datetime | None:
    """OOXML stores W3CDTF times in UTC; the libraries hand them back naive."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
