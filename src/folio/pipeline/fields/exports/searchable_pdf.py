"""Searchable PDF: the original pages with an invisible OCR text layer at the word boxes.

A scanned PDF keeps its pages byte for byte; each OCR'd page gets an overlay (reportlab text in
render mode 3, "invisible") merged with pikepdf. An image becomes one PDF page per frame, at
its own resolution, with the same invisible layer. Text that Helvetica cannot encode is
replaced by ``?`` so the layer stays positionally right.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pikepdf
from PIL import Image, ImageSequence
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from folio.pipeline.types import DocumentKind, DocumentResult, Page, PageSource

FONT = "Helvetica"
DEFAULT_DPI = 300.0


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def draw_text_layer(
    canvas: Canvas, page: Page, height_pt: float, scale: tuple[float, float]
) -> None:
    """Invisible words of ``page`` on ``canvas`` (PDF origin bottom-left, points)."""
    sx, sy = scale
    for word in page.words:
        text = _latin1(word.text)
        x0, y0, x1, y1 = word.bbox
        box_w, box_h = (x1 - x0) * sx, (y1 - y0) * sy
        if not text.strip() or box_w <= 0 or box_h <= 0:
            continue
        size = max(1.0, box_h * 0.85)
        natural = stringWidth(text, FONT, size) or 1.0
        obj = canvas.beginText()
        obj.setTextRenderMode(3)
        obj.setFont(FONT, size)
        obj.setHorizScale(100.0 * box_w / natural)
        obj.setTextOrigin(x0 * sx, height_pt - y1 * sy + box_h * 0.15)
        obj.textOut(text)
        canvas.drawText(obj)


def _overlay(pages: list[tuple[Page, float, float]]) -> pikepdf.Pdf:
    buf = io.BytesIO()
    canvas = Canvas(buf)
    for page, width_pt, height_pt in pages:
        canvas.setPageSize((width_pt, height_pt))
        draw_text_layer(canvas, page, height_pt, (width_pt / page.width, height_pt / page.height))
        canvas.showPage()
    canvas.save()
    buf.seek(0)
    return pikepdf.open(buf)


def _from_pdf(source: Path, result: DocumentResult, dest: str | Path | IO[bytes]) -> int:
    with pikepdf.open(source) as pdf:
        targets = []
        for page in result.pages:
            if page.source == PageSource.ocr and page.words and page.number <= len(pdf.pages):
                pk = pdf.pages[page.number - 1]
                box = [float(v) for v in pk.trimbox]
                targets.append((page, pk, box[2] - box[0], box[3] - box[1]))
        if targets:
            overlay = _overlay([(p, w, h) for p, _, w, h in targets])
            for i, (_, pk, _, _) in enumerate(targets):
                pk.add_overlay(overlay.pages[i], rect=None)  # the stubs lack its default
        pdf.save(dest)  # type: ignore[arg-type]  # wants BinaryIO; any IO[bytes] works
        return len(targets)


def _from_image(source: Path, result: DocumentResult, dest: str | Path | IO[bytes]) -> int:
    canvas = Canvas(str(dest) if isinstance(dest, Path) else dest)
    count = 0
    with Image.open(source) as image:
        dpi = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if index >= len(result.pages):
                break
            page = result.pages[index]
            rgb = frame.convert("RGB")
            width_pt = rgb.width * 72.0 / float(dpi[0] or DEFAULT_DPI)
            height_pt = rgb.height * 72.0 / float(dpi[1] or DEFAULT_DPI)
            canvas.setPageSize((width_pt, height_pt))
            canvas.drawImage(ImageReader(rgb), 0, 0, width_pt, height_pt)
            draw_text_layer(
                canvas, page, height_pt, (width_pt / page.width, height_pt / page.height)
            )
            canvas.showPage()
            count += 1
    canvas.save()
    return count


def write_searchable_pdf(
    source: str | Path, result: DocumentResult, dest: str | Path | IO[bytes]
) -> int:
    """Write ``source`` (a PDF or an image) with the OCR words of ``result`` as an invisible
    text layer. Returns the number of pages that received a layer."""
    source = Path(source)
    if result.kind == DocumentKind.pdf:
        return _from_pdf(source, result, dest)
    if result.kind == DocumentKind.image:
        return _from_image(source, result, dest)
    raise ValueError(f"a searchable PDF needs a PDF or an image, not {result.kind}")
