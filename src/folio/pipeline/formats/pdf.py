"""PDF: PDFium text layer per page, OCR of pages that need it, document properties."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from folio.pipeline.errors import (
    CorruptDocument,
    PasswordRequired,
    UnsupportedDocument,
    WrongPassword,
)
from folio.pipeline.formats import ExtractContext, Extraction, Properties, clean_field
from folio.pipeline.formats.pdf_images import ImageRegion, image_regions, with_image_words
from folio.pipeline.formats.pdf_text import (
    LayerQuality,
    PageFrame,
    assess,
    load_textpage,
    read_text_layer,
)
from folio.pipeline.metadata import parse_pdf_date
from folio.pipeline.pages import empty_page, ocr_page
from folio.pipeline.types import Limits, OcrMode, Page, PageSource

UNIT = "pt"
POINTS_PER_INCH = 72.0
MIN_MEANINGFUL_CHARS = 10  # fewer letters/digits than this: no usable text layer
MAX_GARBAGE_SHARE = 0.25  # replacement/private-use/control characters: a broken encoding
MIN_MEANINGFUL_SHARE = 0.4  # mostly symbols and punctuation: a junk (often invisible) layer
SPARSE_TEXT_CHARS = 50  # a little text over a page-sized image: a scan with a stamp or header
PAGE_IMAGE_COVERAGE = 0.6
MIN_SCAN_SCALE = 1.0  # 72 dpi: a page-sized image coarser than this is not rendered coarser
_MEANINGFUL = re.compile(r"[^\W_]")


# PDFium is not thread-safe. Worker processes run one document at a time, but a threaded
# caller must not crash it: every PDFium call holds this lock, which is released for OCR.
PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class _OcrJob:
    """A rendered page waiting for OCR (run without the PDFium lock)."""

    number: int
    image: Image.Image
    scale: float
    frame: PageFrame
    text_layer: Page | None = None  # auto mode: kept if OCR reads less than the layer had
    layer_chars: int = 0  # letters and digits in that text layer


@dataclass(frozen=True)
class _ImageJob:
    """A text-layer page with images whose words are still to be read (without the lock)."""

    page: Page
    regions: list[ImageRegion]


def extract_pdf(ctx: ExtractContext) -> Extraction:
    with _open(ctx) as pdf:
        with PDFIUM_LOCK:
            count = len(pdf)
            ctx.check_page_count(count)
            properties = _properties(pdf)
        pages = [_page(ctx, pdf, index, count) for index in range(count)]
    return Extraction(pages=pages, properties=properties)


@contextmanager
def _open(ctx: ExtractContext) -> Iterator[pdfium.PdfDocument]:
    password = ctx.options.password
    try:
        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(ctx.path, password=password)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc.err_code, password) from exc
    try:
        yield pdf
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _open_error(code: int | None, password: str | None) -> Exception:
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        if password:
            return WrongPassword("The password does not open this PDF")
        return PasswordRequired("The PDF is encrypted; a password is required")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return UnsupportedDocument("The PDF uses an unsupported security handler")
    return CorruptDocument("The PDF is damaged or not a PDF")


def _properties(pdf: pdfium.PdfDocument) -> Properties:
    info = pdf.get_metadata_dict(skip_empty=True)
    return Properties(
        title=clean_field(info.get("Title")),
        author=clean_field(info.get("Author")),
        subject=clean_field(info.get("Subject")),
        creator=clean_field(info.get("Creator")),
        producer=clean_field(info.get("Producer")),
        created_at=parse_pdf_date(info.get("CreationDate")),
        modified_at=parse_pdf_date(info.get("ModDate")),
        encrypted=pdfium_c.FPDF_GetSecurityHandlerRevision(pdf) != -1,
        has_forms=pdf.get_formtype() != pdfium_c.FORMTYPE_NONE,
        has_attachments=pdf.count_attachments() > 0,
    )


def _page(ctx: ExtractContext, pdf: pdfium.PdfDocument, index: int, count: int) -> Page:
    number = index + 1
    with PDFIUM_LOCK:
        outcome = _read_or_render(ctx, pdf, number)
    if isinstance(outcome, _OcrJob):
        outcome = _ocr_page(ctx, outcome)
    elif isinstance(outcome, _ImageJob):
        outcome = with_image_words(outcome.page, outcome.regions, ctx.ocr, ctx.warnings)
    ctx.progress.pages(number, count)
    return outcome


def _read_or_render(
    ctx: ExtractContext, pdf: pdfium.PdfDocument, number: int
) -> Page | _OcrJob | _ImageJob:
    """The page from its text layer, or its rendering when the OCR mode asks for OCR."""
    try:
        page = pdf[number - 1]
    except pdfium.PdfiumError:
        ctx.warnings.append(f"Page {number} could not be read and is left empty")
        return empty_page(number, 0.0, 0.0, unit=UNIT, source=PageSource.text_layer)
    try:
        frame = PageFrame.of(page)
        mode = ctx.options.ocr
        if mode is OcrMode.force:
            return _render_job(ctx, number, page, frame)
        textpage = load_textpage(page, frame.rotation)
        try:
            layer = read_text_layer(textpage, frame)
        finally:
            textpage.close()
        text_layer_page = Page(
            number=number,
            width=round(frame.width, 2),
            height=round(frame.height, 2),
            unit=UNIT,
            rotation=frame.rotation,
            source=PageSource.text_layer,
            text=layer.text,
            words=layer.words,
        )
        if mode is OcrMode.auto:
            quality = assess(layer.raw)
            if _needs_ocr(quality, page, frame):
                job = _render_job(ctx, number, page, frame)
                return replace(
                    job, text_layer=text_layer_page, layer_chars=quality.meaningful_chars
                )
            regions = image_regions(page, frame, layer.words, ctx.options.limits)
            if regions:
                return _ImageJob(text_layer_page, regions)
        return text_layer_page
    finally:
        page.close()


def _needs_ocr(quality: LayerQuality, page: pdfium.PdfPage, frame: PageFrame) -> bool:
    """Auto mode: OCR a page whose text layer is missing, junk, or a stamp over a scan."""
    if quality.meaningful_chars < MIN_MEANINGFUL_CHARS:
        objects: int = pdfium_c.FPDFPage_CountObjects(page)
        return objects > 0  # a page with no objects is blank
    if quality.garbage_share > MAX_GARBAGE_SHARE:
        return True
    if quality.meaningful_share < MIN_MEANINGFUL_SHARE:
        return True
    return quality.meaningful_chars < SPARSE_TEXT_CHARS and _image_covers(page, frame)


def _image_covers(page: pdfium.PdfPage, frame: PageFrame) -> bool:
    page_area = frame.width * frame.height
    if page_area <= 0:
        return False
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = image.get_bounds()
        if (right - left) * (top - bottom) >= PAGE_IMAGE_COVERAGE * page_area:
            return True
    return False


def _render_job(
    ctx: ExtractContext, number: int, page: pdfium.PdfPage, frame: PageFrame
) -> _OcrJob:
    scale = render_scale(frame.width, frame.height, ctx.options.limits)
    native = scan_scale(page, frame)
    if native is not None:
        scale = min(scale, native)
    return _OcrJob(number, _render(page, scale), scale, frame)


def _ocr_page(ctx: ExtractContext, job: _OcrJob) -> Page:
    output = ctx.ocr.recognize(job.image, dpi=round(job.scale * POINTS_PER_INCH))
    if job.text_layer is not None and job.layer_chars:
        read = sum(len(_MEANINGFUL.findall(word.text)) for word in output.words)
        if read < job.layer_chars:
            return job.text_layer  # OCR found less than the layer it was to replace
    frame = job.frame
    turned = output.rotation in (90, 270)
    size = (frame.height, frame.width) if turned else (frame.width, frame.height)
    return ocr_page(
        job.number, output, unit=UNIT, scale=job.scale, rotation=frame.rotation, size=size
    )


def render_scale(width: float, height: float, limits: Limits) -> float:
    """Pixels per point for OCR: ``ocr_dpi``, lowered to keep under ``max_render_pixels``."""
    scale = limits.ocr_dpi / POINTS_PER_INCH
    area = max(width * height, 1.0)
    if area * scale * scale > limits.max_render_pixels:
        scale = math.sqrt(limits.max_render_pixels / area)
    return scale


def scan_scale(page: pdfium.PdfPage, frame: PageFrame) -> float | None:
    """Pixels per point of the scan a page is, or None when the page is more than a scan.

    A page whose only visible content is an image covering it is rendered at that image's own
    resolution where that is below ``ocr_dpi``: finer rendering only interpolates the scan's
    pixels, and costs OCR time and Tesseract accuracy (measured in ``bench/ocr.py``; images
    converted to PDF at 72 or 96 "dpi" make pages several feet wide). Visible text (not an
    invisible OCR layer) keeps the page's own rule, so vector text is not rendered coarse.
    """
    page_area = frame.width * frame.height
    if page_area <= 0:
        return None
    for text in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=3):
        mode = pdfium_c.FPDFTextObj_GetTextRenderMode(text.raw)
        if mode != pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
            return None
    scales: list[float] = []
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = image.get_bounds()
        area = (right - left) * (top - bottom)
        if area < PAGE_IMAGE_COVERAGE * page_area:
            continue
        width, height = image.get_px_size()
        scales.append(math.sqrt(width * height / area))
    return max(MIN_SCAN_SCALE, *scales) if scales else None


def _render(page: pdfium.PdfPage, scale: float) -> Image.Image:
    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
    try:
        image: Image.Image = bitmap.to_pil()
        return image.copy()
    finally:
        bitmap.close()
