"""Helpers for the pipeline tests: result invariants, a recording progress listener, and
builders for documents the corpus lacks (real PDFs and PNGs, written with pikepdf and zlib)."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from PIL import Image

from folio.pipeline import DocumentResult


@dataclass
class RecordingProgress:
    """A real ProgressListener that remembers what it was told."""

    events: list[tuple[str, object]] = field(default_factory=list)

    def stage(self, name: str) -> None:
        self.events.append(("stage", name))

    def pages(self, done: int, total: int) -> None:
        self.events.append(("pages", (done, total)))


def assert_consistent(result: DocumentResult) -> None:
    """Invariants every result keeps: offsets index the text, counts add up, boxes fit."""
    assert result.metadata.page_count == len(result.pages)
    words = 0
    for number, page in enumerate(result.pages, start=1):
        assert page.number == number
        for word in page.words:
            assert page.text[word.start : word.end] == word.text
            assert word.text and not any(char.isspace() for char in word.text)
        if page.words:
            assert len(page.words) == len(page.text.split())
            assert [w.start for w in page.words] == sorted(w.start for w in page.words)
        words += len(page.text.split())
        if page.width and page.height:
            for word in page.words:
                x0, y0, x1, y1 = word.bbox
                assert x0 <= x1 and y0 <= y1
                assert x0 >= -2 and x1 <= page.width + 2, (word, page.width)
                assert y0 >= -2 and y1 <= page.height + 2, (word, page.height)
    assert result.metadata.word_count == words
    assert result.metadata.char_count == sum(len(page.text) for page in result.pages)


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def image_pdf(image: Image.Image, *, rotate: int = 0, text_layer: bytes | None = None) -> bytes:
    """A one-page PDF showing ``image`` full page (72 dpi), optionally with an invisible
    text layer (``text_layer`` is raw string bytes for a Tj operator) and a /Rotate."""
    pdf = pikepdf.new()
    gray = image.convert("L")
    width, height = gray.size
    xobject = pikepdf.Stream(pdf, zlib.compress(gray.tobytes()))
    xobject.Type = pikepdf.Name.XObject
    xobject.Subtype = pikepdf.Name.Image
    xobject.Width, xobject.Height = width, height
    xobject.ColorSpace = pikepdf.Name.DeviceGray
    xobject.BitsPerComponent = 8
    xobject.Filter = pikepdf.Name.FlateDecode
    content = f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q\n".encode()
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject))
    if text_layer is not None:
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
        resources.Font = pikepdf.Dictionary(F1=font)
        content += b"BT 3 Tr /F1 12 Tf 20 " + str(height - 30).encode() + b" Td ("
        content += text_layer + b") Tj ET\n"
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, width, height],
        Resources=resources,
        Contents=pikepdf.Stream(pdf, content),
    )
    if rotate:
        page.Rotate = rotate
    pdf.pages.append(pikepdf.Page(page))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def png_of_zeros(width: int, height: int, *, bit_depth: int = 8) -> bytes:
    """A valid greyscale PNG of one colour, streamed row by row: a tiny file, huge pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
