"""Plain text, Markdown and CSV: charset detection, then pages of about 3000 words."""

from __future__ import annotations

import codecs
import re

from folio.pipeline.formats import ExtractContext, Extraction, Properties
from folio.pipeline.ingest import MARKDOWN, utf16_byte_order
from folio.pipeline.pages import native_pages, paginate_text

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MARKDOWN_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def extract_text(ctx: ExtractContext) -> Extraction:
    text, encoding = decode_text(ctx.path.read_bytes())
    if encoding in ("cp1252", "latin-1"):
        ctx.warnings.append(f"The text is not UTF-8; it was decoded as {encoding}")
    texts = paginate_text(text)
    ctx.check_page_count(len(texts))
    pages = native_pages(texts)
    ctx.report_pages(pages)
    title = _markdown_title(text) if ctx.mime_type == MARKDOWN else None
    return Extraction(pages=pages, properties=Properties(title=title))


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: a byte-order mark, UTF-16 by shape, UTF-8, then cp1252."""
    encoding = _sniff_encoding(data)
    if encoding is not None:
        return _normalize(data.decode(encoding, errors="replace")), encoding
    for candidate in ("utf-8", "cp1252"):
        try:
            return _normalize(data.decode(candidate)), candidate
        except UnicodeDecodeError:
            continue
    return _normalize(data.decode("latin-1")), "latin-1"


def _sniff_encoding(data: bytes) -> str | None:
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    return utf16_byte_order(data)


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _markdown_title(text: str) -> str | None:
    match = _MARKDOWN_TITLE.search(text)
    return match.group(1).strip() if match else None
