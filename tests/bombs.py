"""Small files that cost a lot to parse: built in the tests, never stored."""

from __future__ import annotations

import io
import zipfile

import docx

PARAGRAPH = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"


def docx_bomb(paragraphs: int = 600_000) -> bytes:
    """A valid DOCX of ~100 KB whose document.xml unpacks to ~21 MB (600,000 paragraphs)."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                data = head + b"<w:body>" + PARAGRAPH * paragraphs + tail
            bomb.writestr(item.filename, data)
    return out.getvalue()


def nested_html(depth: int = 100_000) -> bytes:
    """~1.1 MB of nested <div>: lexbor takes minutes (quadratic in the depth)."""
    return b"<html><body>" + b"<div>" * depth + b"deep" + b"</div>" * depth + b"</body></html>"
