"""Images (PNG, JPEG, TIFF frames, WEBP, BMP): bomb checks, EXIF orientation, OCR per frame."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps, UnidentifiedImageError

from folio.pipeline.errors import CorruptDocument, ImageTooLarge
from folio.pipeline.formats import ExtractContext, Extraction
from folio.pipeline.pages import ocr_page
from folio.pipeline.types import Limits, OcrMode, Page, PageSource

UNIT = "px"
EXIF_ORIENTATION = 0x0112
# EXIF orientation -> clockwise degrees that display the image upright (mirrored ones included)
EXIF_ROTATION = {1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}
EXIF_SWAPS_SIDES = {5, 6, 7, 8}
MIN_DPI, MAX_DPI = 50, 2400


def extract_image(ctx: ExtractContext) -> Extraction:
    limits = ctx.options.limits
    with _open(ctx, limits) as image:
        frames = getattr(image, "n_frames", 1)
        ctx.check_page_count(frames, "frames")
        _check_bomb(image, frames, ctx.path.stat().st_size, limits)
        if ctx.options.ocr is OcrMode.off:
            ctx.warnings.append("OCR is off: the text of image pages was not read")
        pages = list(_pages(ctx, image, frames))
    return Extraction(pages=pages)


@contextmanager
def _open(ctx: ExtractContext, limits: Limits) -> Iterator[Image.Image]:
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(ctx.path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge("The image has more pixels than allowed") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptDocument("The image is damaged or in an unsupported format") from exc
    with image:
        yield image


def _check_bomb(image: Image.Image, frames: int, file_bytes: int, limits: Limits) -> None:
    """Reject declared sizes above ``max_image_pixels`` and extreme compression ratios.

    The ratio is pixels per byte of file; bilevel (1-bit) frames count 8 pixels as one, since
    fax-compressed scans legitimately pack many pixels per byte.
    """
    weighted_pixels = 0.0
    for index in range(frames):
        image.seek(index)
        pixels = image.width * image.height
        if pixels > limits.max_image_pixels:
            raise ImageTooLarge(
                f"Frame {index + 1} has {pixels} pixels; the limit is {limits.max_image_pixels}"
            )
        weighted_pixels += pixels / 8 if image.mode == "1" else pixels
    image.seek(0)
    ratio = weighted_pixels / max(file_bytes, 1)
    if ratio > limits.max_decompression_ratio:
        raise ImageTooLarge(
            f"The image expands {ratio:.0f}x (pixels per byte); "
            f"the limit is {limits.max_decompression_ratio:.0f}x"
        )


def _pages(ctx: ExtractContext, image: Image.Image, frames: int) -> Iterator[Page]:
    for index in range(frames):
        image.seek(index)
        yield _frame_page(ctx, index + 1, image)
        ctx.progress.pages(index + 1, frames)


def _frame_page(ctx: ExtractContext, number: int, image: Image.Image) -> Page:
    orientation = _exif_orientation(image)
    rotation = EXIF_ROTATION.get(orientation, 0)
    if ctx.options.ocr is OcrMode.off:  # no pixels needed: size from the header
        width, height = image.size
        if orientation in EXIF_SWAPS_SIDES:
            width, height = height, width
        return Page(
            number=number,
            width=float(width),
            height=float(height),
            unit=UNIT,
            rotation=rotation,
            source=PageSource.native,
            text="",
        )
    upright = ImageOps.exif_transpose(image)
    output = ctx.ocr.recognize(upright, dpi=_dpi(image), reducible=True)
    return ocr_page(number, output, unit=UNIT, rotation=rotation)


def _exif_orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError):
        return 1
    return value if isinstance(value, int) else 1


def _dpi(image: Image.Image) -> int | None:
    density = image.info.get("dpi")
    if not isinstance(density, tuple) or not density:
        return None
    try:
        value = round(float(density[0]))
    except (TypeError, ValueError):
        return None
    return value if MIN_DPI <= value <= MAX_DPI else None
