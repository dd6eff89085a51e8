"""Redaction: PDF pages with boxes are rasterised with the boxes painted black, so no text,
font or hidden layer survives on them; pages without boxes are kept as they are. Metadata that
could carry personal data is removed. Plus mask/hash/replace anonymisation of extracted text.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import ImageDraw

from folio.pipeline.intelligence.types import BBox, Entity, RedactionReport

DPI = 200
PAD = 1.0  # points of margin around each box
ANONYMIZE_MODES = ("mask", "hash", "replace")


def _raster_page(doc: pdfium.PdfDocument, index: int, boxes: list[BBox], dpi: int) -> bytes:
    """The page as displayed, rendered with the boxes painted black, as a one-page PDF."""
    scale = dpi / 72
    image = doc[index].render(scale=scale).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(
            [(x0 - PAD) * scale, (y0 - PAD) * scale, (x1 + PAD) * scale, (y1 + PAD) * scale],
            fill="black",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=dpi)
    return buffer.getvalue()


def redact_pdf(
    path: Path, out: Path, *, boxes_per_page: dict[int, list[BBox]], dpi: int = DPI
) -> RedactionReport:
    """Write ``out``: ``path`` with the boxes (page number → boxes in points, top-left origin of
    the displayed page) burnt in. Text on a redacted page is gone, not hidden."""
    targets = {n: b for n, b in boxes_per_page.items() if b}
    source = pdfium.PdfDocument(str(path))
    try:
        rasters = {
            n: _raster_page(source, n - 1, b, dpi)
            for n, b in targets.items()
            if 1 <= n <= len(source)
        }
    finally:
        source.close()
    with pikepdf.open(path) as pdf:
        for number, data in sorted(rasters.items()):
            with pikepdf.open(io.BytesIO(data)) as page_pdf:
                pdf.pages.append(page_pdf.pages[0])
                pdf.pages[number - 1] = pdf.pages[-1]
                del pdf.pages[-1]
        _strip_metadata(pdf)
        pdf.remove_unreferenced_resources()
        pdf.save(out, linearize=False)
    return RedactionReport(
        pages_redacted=sorted(rasters), boxes=sum(len(targets[n]) for n in rasters), dpi=dpi
    )


def _strip_metadata(pdf: pikepdf.Pdf) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for key in ("/Metadata", "/Names", "/AcroForm", "/OpenAction", "/AA"):
        if key in pdf.Root:
            del pdf.Root[key]


def _replacement(entity: Entity, original: str, mode: str) -> str:
    if mode == "mask":
        return "".join("*" if ch.isalnum() else ch for ch in original)
    if mode == "hash":
        digest = hashlib.sha256(original.encode()).hexdigest()[:12]
        return f"<{entity.type}:{digest}>"
    return f"<{entity.type.upper()}>"


def anonymize_text(text: str, entities: list[Entity], *, mode: str = "replace") -> str:
    """Replace each entity span (``start``/``end`` into ``text``) by a mask, a hash or its type.

    Hashes are unsalted SHA-256 prefixes: the same value maps to the same token (linkable),
    which is the point of ``hash``; use ``replace`` where linkage is unwanted."""
    if mode not in ANONYMIZE_MODES:
        raise ValueError(f"mode must be one of {', '.join(ANONYMIZE_MODES)}")
    pieces: list[str] = []
    cursor = 0
    for e in sorted(entities, key=lambda e: e.start):
        if e.start < cursor or e.end > len(text):
            continue  # overlapping or out of range: the earlier span already covers it
        pieces += [text[cursor : e.start], _replacement(e, text[e.start : e.end], mode)]
        cursor = e.end
    pieces.append(text[cursor:])
    return "".join(pieces)
