"""Where to paint: entity and user boxes, from the pipeline's page units to the original's.

The pipeline reports boxes in each page's own unit (``pt`` for a PDF text layer, ``px`` for
OCR'd pages and images). The original is redacted in its unit (PDF points, or image pixels as
displayed), so every box is scaled by the ratio of the two page sizes. An entity without a box
(text that no word covers) cannot be located: its whole page is painted, so nothing leaks.
Image originals become a PDF too, one page per frame, with no metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageOps, ImageSequence

from folio.pipeline.intelligence.types import BBox, Entity, RedactionReport
from folio.pipeline.types import DocumentResult

Size = tuple[float, float]


@dataclass
class RedactionPlan:
    boxes_per_page: dict[int, list[BBox]] = field(default_factory=dict)  # in the original's unit
    whole_pages: list[int] = field(default_factory=list)  # values found there had no box


def pdf_page_sizes(path: Path) -> dict[int, Size]:
    """Displayed size (rotation applied) of each page, in points."""
    document = pdfium.PdfDocument(str(path))
    try:
        return {n + 1: tuple(document[n].get_size()) for n in range(len(document))}
    finally:
        document.close()


def image_page_sizes(path: Path) -> dict[int, Size]:
    """Displayed size (EXIF orientation applied) of each frame, in pixels."""
    with Image.open(path) as image:
        sizes = {}
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            upright = ImageOps.exif_transpose(frame)
            sizes[number] = (float(upright.width), float(upright.height))
        return sizes


def _scaled(box: BBox, page_size: Size, target: Size) -> BBox:
    sx, sy = target[0] / page_size[0], target[1] / page_size[1]
    x0, y0, x1, y1 = box
    return (x0 * sx, y0 * sy, x1 * sx, y1 * sy)


def plan_redaction(
    result: DocumentResult,
    entities: list[Entity],
    boxes: dict[int, list[BBox]],
    target_sizes: dict[int, Size],
) -> RedactionPlan:
    """``entities`` and ``boxes`` (page → boxes in the page's unit) as boxes on the original."""
    pages = {page.number: page for page in result.pages}
    plan = RedactionPlan()
    wanted: dict[int, list[BBox]] = {n: list(b) for n, b in boxes.items()}
    for entity in entities:
        if entity.page is None or entity.page not in pages:
            continue
        if entity.bbox is None:
            if entity.page not in plan.whole_pages:
                plan.whole_pages.append(entity.page)
            continue
        wanted.setdefault(entity.page, []).append(entity.bbox)
    for number, page_boxes in wanted.items():
        page, target = pages.get(number), target_sizes.get(number)
        if page is None or target is None or not page.width or not page.height:
            continue
        size = (page.width, page.height)
        plan.boxes_per_page[number] = [_scaled(b, size, target) for b in page_boxes]
    for number in plan.whole_pages:
        if number in target_sizes:
            width, height = target_sizes[number]
            plan.boxes_per_page[number] = [(0.0, 0.0, width, height)]
    plan.whole_pages.sort()
    return plan


def redact_image(
    path: Path, out: Path, *, boxes_per_page: dict[int, list[BBox]]
) -> RedactionReport:
    """Write ``out``: a PDF of the image's frames as displayed, boxes (pixels) painted black."""
    frames: list[Image.Image] = []
    with Image.open(path) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            upright = ImageOps.exif_transpose(frame).convert("RGB")
            draw = ImageDraw.Draw(upright)
            for x0, y0, x1, y1 in boxes_per_page.get(number, []):
                draw.rectangle([x0 - 2, y0 - 2, x1 + 2, y1 + 2], fill="black")
            frames.append(upright)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PDF", save_all=True, append_images=frames[1:], resolution=150)
    out.write_bytes(buffer.getvalue())
    redacted = sorted(n for n, b in boxes_per_page.items() if b and n <= len(frames))
    return RedactionReport(
        pages_redacted=redacted,
        boxes=sum(len(boxes_per_page[n]) for n in redacted),
        method="paint",
        dpi=150,
    )
