"""Cheap, safe file-type detection (runs in the API process at upload time).

Only libmagic looks at the bytes, plus, for ZIP containers, a read of the ZIP central directory
to tell DOCX, XLSX and PPTX apart. Nothing here parses a document deeply.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath

import magic

from folio.pipeline.types import DocumentKind

SNIFF_BYTES = 256 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EML = "message/rfc822"
HTML = "text/html"
PLAIN = "text/plain"
MARKDOWN = "text/markdown"
CSV = "text/csv"

IMAGE_MIMES = {
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/tiff": "image/tiff",
    "image/webp": "image/webp",
    "image/bmp": "image/bmp",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
}

KIND_BY_MIME: dict[str, DocumentKind] = {
    PDF: DocumentKind.pdf,
    DOCX: DocumentKind.docx,
    XLSX: DocumentKind.xlsx,
    PPTX: DocumentKind.pptx,
    EML: DocumentKind.email,
    HTML: DocumentKind.html,
    PLAIN: DocumentKind.text,
    MARKDOWN: DocumentKind.text,
    CSV: DocumentKind.text,
    **{mime: DocumentKind.image for mime in IMAGE_MIMES.values()},
}

EXTENSIONS_BY_MIME: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}),
    "image/png": frozenset({".png"}),
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/tiff": frozenset({".tif", ".tiff"}),
    "image/webp": frozenset({".webp"}),
    "image/bmp": frozenset({".bmp", ".dib"}),
    DOCX: frozenset({".docx", ".docm", ".dotx"}),
    XLSX: frozenset({".xlsx", ".xlsm", ".xltx"}),
    PPTX: frozenset({".pptx", ".pptm", ".potx"}),
    EML: frozenset({".eml", ".mht"}),
    HTML: frozenset({".html", ".htm", ".xhtml", ".shtml"}),
    PLAIN: frozenset({".txt", ".text", ".log", ".md", ".markdown", ".csv", ".tsv"}),
    "application/zip": frozenset({".zip"}),
}
EXTENSIONS_BY_MIME[MARKDOWN] = EXTENSIONS_BY_MIME[PLAIN]
EXTENSIONS_BY_MIME[CSV] = EXTENSIONS_BY_MIME[PLAIN]

KNOWN_EXTENSIONS = frozenset().union(*EXTENSIONS_BY_MIME.values())
TEXT_REFINEMENTS = {".md": MARKDOWN, ".markdown": MARKDOWN, ".csv": CSV, ".tsv": CSV}
HTML_EXTENSIONS = EXTENSIONS_BY_MIME[HTML]
OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
OCTET_STREAM = "application/octet-stream"
SHORT_TEXT_BYTES = 64
UTF16_SAMPLE = 4096
UTF16_NUL_SHARE = 0.3  # UTF-16 without a mark: many NULs, and all at odd or all at even bytes
PDF_HEADER = b"%PDF-"
PDF_HEADER_WINDOW = 1024
RFC822_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]", re.MULTILINE)


@dataclass(frozen=True)
class Sniffed:
    mime_type: str
    kind: DocumentKind | None  # None: not a supported document type
    extension_mismatch: bool  # the filename's extension does not fit the sniffed type


@cache
def _magic() -> magic.Magic:
    return magic.Magic(mime=True)


def sniff(path: Path, filename: str | None = None) -> Sniffed:
    """Detect the type of ``path`` from its bytes; ``filename`` only refines plain text."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    name = filename if filename is not None else path.name
    extension = PurePath(name).suffix.lower()
    mime = _detect_mime(path, head, extension)
    return Sniffed(
        mime_type=mime,
        kind=KIND_BY_MIME.get(mime),
        extension_mismatch=_extension_mismatch(mime, extension),
    )


def kind_for_mime(mime_type: str) -> DocumentKind | None:
    """The document kind of a MIME type previously returned by :func:`sniff`."""
    base = mime_type.split(";", 1)[0].strip().lower()
    return KIND_BY_MIME.get(IMAGE_MIMES.get(base, base))


def _detect_mime(path: Path, head: bytes, extension: str) -> str:
    if not head:
        return "application/x-empty"
    mime = _magic().from_buffer(head).split(";", 1)[0].strip().lower()
    if head.startswith(b"PK\x03\x04"):
        return _zip_mime(path) or mime
    if mime in IMAGE_MIMES:
        return IMAGE_MIMES[mime]
    if mime == OCTET_STREAM and PDF_HEADER in head[:PDF_HEADER_WINDOW]:
        return PDF  # readers accept junk before the header (ISO 32000 implementation note)
    if mime == OCTET_STREAM and _looks_like_utf16_text(head):
        return _refine_text(head, extension)  # libmagic misses UTF-16 without a byte-order mark
    if mime == OCTET_STREAM and _is_short_utf8_text(head):
        return _refine_text(head, extension)  # libmagic gives up on a few bytes of text
    if mime == PLAIN or mime.startswith("text/x-"):  # libmagic guesses languages for plain text
        return OCTET_STREAM if _binary_with_nuls(head) else _refine_text(head, extension)
    return mime


def _binary_with_nuls(head: bytes) -> bool:
    """NUL bytes mean binary, unless the text is UTF-16."""
    return b"\x00" in head and not (utf16_byte_order(head) or _looks_like_utf16_text(head))


def _is_short_utf8_text(head: bytes) -> bool:
    if len(head) > SHORT_TEXT_BYTES or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(character.isprintable() or character in "\r\n\t\f" for character in text)


def _zip_mime(path: Path) -> str | None:
    """Tell OOXML formats apart from the ZIP directory; ``None`` if not a readable ZIP."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    for part, mime in OOXML_PARTS.items():
        if part in names:
            return mime
    return "application/zip"


def _refine_text(head: bytes, extension: str) -> str:
    if extension in TEXT_REFINEMENTS:
        return TEXT_REFINEMENTS[extension]
    if extension in HTML_EXTENSIONS:
        return HTML
    if extension == ".eml" and RFC822_HEADER.match(head.lstrip()):
        return EML
    return PLAIN


def _extension_mismatch(mime: str, extension: str) -> bool:
    if not extension or extension not in KNOWN_EXTENSIONS:
        return False
    return extension not in EXTENSIONS_BY_MIME.get(mime, frozenset())


def utf16_byte_order(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``data`` has the shape of UTF-16 without a mark."""
    sample = data[:UTF16_SAMPLE]
    if len(sample) < 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > UTF16_NUL_SHARE * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > UTF16_NUL_SHARE * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _looks_like_utf16_text(head: bytes) -> bool:
    encoding = utf16_byte_order(head)
    if encoding is None:
        return False
    sample = head[: UTF16_SAMPLE - UTF16_SAMPLE % 2].decode(encoding, errors="replace")
    printable = sum(char.isprintable() or char.isspace() for char in sample)
    return printable >= 0.95 * len(sample)
