"""Words in the images of a text-layer PDF page: logos, scanned footers, pasted scans.

A page with a usable text layer is not OCR'd, but an image on it may hold text the layer lacks
(the seller's legal name in a scanned footer, a letterhead pasted as a picture). Large images
with no text-layer word over them are rendered at the OCR resolution, read, and their words
join the page's words with page boxes; they are the page's only words with an OCR confidence.

Cost is bounded: only images of at least ``MIN_IMAGE_AREA`` square points and
``MIN_IMAGE_SIDE`` points high, at most ``MAX_REGIONS_PER_PAGE`` per page (the largest), each
rendered at no more than ``MAX_REGION_PIXELS`` (a 2480 x 1600 grey bitmap, 4 MB) and padded to
at most 4:1 (``MAX_REGION_ASPECT``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from folio.pipeline.errors import OcrUnavailable
from folio.pipeline.formats.pdf_text import PageFrame
from folio.pipeline.ocr.session import OcrOutput, OcrSession
from folio.pipeline.pages import layout_ocr_words
from folio.pipeline.types import Limits, Page, Word

Box = tuple[float, float, float, float]

MIN_IMAGE_AREA = 5000.0  # square points: about a 100 x 50 pt logo, 1 % of a letter page
MIN_IMAGE_SIDE = 20.0  # points: thinner images are rules, bullets, signatures' underlines
MAX_REGIONS_PER_PAGE = 3
MAX_REGION_PIXELS = 4_000_000
# a banner is padded with white to at most 4:1: RapidOCR shrinks an image's long side to 2000 px
# and then enlarges its short side to 736 px, which would blow a thin strip up many times over
MAX_REGION_ASPECT = 4.0
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class ImageRegion:
    """An image's rendering, and where it sits on the displayed page (points)."""

    box: Box
    image: Image.Image
    scale: float  # pixels per point


def image_regions(
    page: pdfium.PdfPage, frame: PageFrame, words: list[Word], limits: Limits
) -> list[ImageRegion]:
    """Renderings of the page's large images that no text-layer word lies over (call with
    the PDFium lock held)."""
    boxes = [box for box in _image_boxes(page, frame) if not _covered_by_words(box, words)]
    boxes.sort(key=_area, reverse=True)
    return [_render_region(page, frame, box, limits) for box in boxes[:MAX_REGIONS_PER_PAGE]]


def _image_boxes(page: pdfium.PdfPage, frame: PageFrame) -> list[Box]:
    boxes: list[Box] = []
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = image.get_bounds()
        shown = frame.to_display(np.array([[left, bottom, right, top]], dtype=float))[0]
        box = _clipped((shown[0], shown[1], shown[2], shown[3]), frame)
        if box is None:
            continue
        height = min(box[3] - box[1], box[2] - box[0])
        if _area(box) >= MIN_IMAGE_AREA and height >= MIN_IMAGE_SIDE:
            boxes.append(box)
    return boxes


def _clipped(box: Box, frame: PageFrame) -> Box | None:
    x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
    x1, y1 = min(box[2], frame.width), min(box[3], frame.height)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _covered_by_words(box: Box, words: list[Word]) -> bool:
    """A text-layer word centred on the image: its text is in the layer already (an
    invisible OCR layer over a scan) or the image is a background."""
    for word in words:
        cx, cy = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
            return True
    return False


def _render_region(page: pdfium.PdfPage, frame: PageFrame, box: Box, limits: Limits) -> ImageRegion:
    scale = _region_scale(box, limits)
    # crop is measured from each edge of the displayed page: left, bottom, right, top
    crop = (box[0], frame.height - box[3], frame.width - box[2], box[1])
    bitmap = page.render(scale=scale, crop=crop, grayscale=True, may_draw_forms=False)
    try:
        image = _padded(bitmap.to_pil())
    finally:
        bitmap.close()
    return ImageRegion(box, image, scale)


def _padded(image: Image.Image) -> Image.Image:
    """A copy of ``image``, white added below or to the right to keep it within
    ``MAX_REGION_ASPECT`` (its words keep their pixel positions)."""
    width, height = image.size
    size = (
        max(width, math.ceil(height / MAX_REGION_ASPECT)),
        max(height, math.ceil(width / MAX_REGION_ASPECT)),
    )
    if size == (width, height):
        return image.copy()
    canvas = Image.new(image.mode, size, 255)
    canvas.paste(image, (0, 0))
    return canvas


def _region_scale(box: Box, limits: Limits) -> float:
    """Pixels per point: the OCR resolution, lowered until the padded rendering (whose sides
    are rounded up to whole pixels) stays within ``MAX_REGION_PIXELS``."""
    width, height = box[2] - box[0], box[3] - box[1]
    width, height = (  # as padded
        max(width, height / MAX_REGION_ASPECT),
        max(height, width / MAX_REGION_ASPECT),
    )
    scale = limits.ocr_dpi / POINTS_PER_INCH
    while math.ceil(width * scale) * math.ceil(height * scale) > MAX_REGION_PIXELS:
        scale = min(scale * 0.99, math.sqrt(MAX_REGION_PIXELS / (width * height)))
    return scale


def with_image_words(
    page: Page, regions: list[ImageRegion], ocr: OcrSession, warnings: list[str]
) -> Page:
    """The page with the words read in ``regions`` after its own, one text line per OCR
    line, boxes in page points (run without the PDFium lock)."""
    text, words = page.text, list(page.words)
    for region in regions:
        try:
            output = ocr.read_region(region.image, dpi=round(region.scale * POINTS_PER_INCH))
        except OcrUnavailable as exc:
            warnings.append(f"Images on page {page.number} were not read: {exc}")
            break
        region_text, region_words = _placed(output, region)
        if not region_words:
            continue
        offset = len(text) + 1 if text else 0
        text = f"{text}\n{region_text}" if text else region_text
        words.extend(
            w.model_copy(update={"start": w.start + offset, "end": w.end + offset})
            for w in region_words
        )
    if len(words) == len(page.words):
        return page
    return page.model_copy(update={"text": text, "words": words})


def _placed(output: OcrOutput, region: ImageRegion) -> tuple[str, list[Word]]:
    text, words = layout_ocr_words(output, region.scale)
    x, y = region.box[0], region.box[1]
    placed = [
        w.model_copy(
            update={
                "bbox": (
                    round(w.bbox[0] + x, 2),
                    round(w.bbox[1] + y, 2),
                    round(w.bbox[2] + x, 2),
                    round(w.bbox[3] + y, 2),
                )
            }
        )
        for w in words
    ]
    return text, placed
