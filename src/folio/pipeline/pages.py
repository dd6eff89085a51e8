"""Building :class:`Page` objects: OCR words laid out as text, and native (box-less) pages."""

from __future__ import annotations

import re

from folio.pipeline.ocr import OcrOutput
from folio.pipeline.types import Page, PageSource, Word

WORDS_PER_NATIVE_PAGE = 3000
NATIVE_UNIT = "pt"  # native pages have no geometry: width = height = 0
_WORD = re.compile(r"\S+")


def ocr_page(
    number: int,
    output: OcrOutput,
    *,
    unit: str,
    scale: float = 1.0,
    rotation: int = 0,
    size: tuple[float, float] | None = None,
) -> Page:
    """A page from OCR output.

    ``scale`` is pixels per page unit (boxes are divided by it); ``size`` the page's displayed
    size in its unit when known exactly (else the image size over ``scale``).
    """
    text, words = layout_ocr_words(output, scale)
    width, height = size if size is not None else (output.width / scale, output.height / scale)
    return Page(
        number=number,
        width=round(width, 2),
        height=round(height, 2),
        unit=unit,
        rotation=(rotation + output.rotation) % 360,
        source=PageSource.ocr,
        text=text,
        words=words,
        ocr_confidence=round(output.confidence, 2) if output.confidence is not None else None,
    )


def layout_ocr_words(output: OcrOutput, scale: float) -> tuple[str, list[Word]]:
    """Join OCR words with spaces, and with a line break where the engine starts a new line."""
    parts: list[str] = []
    words: list[Word] = []
    offset = 0
    previous_line: int | None = None
    for ocr_word in output.words:
        if previous_line is not None:
            parts.append("\n" if ocr_word.line != previous_line else " ")
            offset += 1
        previous_line = ocr_word.line
        x0, y0, x1, y1 = ocr_word.bbox
        box = (
            round(x0 / scale, 2),
            round(y0 / scale, 2),
            round(x1 / scale, 2),
            round(y1 / scale, 2),
        )
        end = offset + len(ocr_word.text)
        confidence = round(ocr_word.confidence, 2)
        words.append(
            Word(text=ocr_word.text, bbox=box, start=offset, end=end, confidence=confidence)
        )
        parts.append(ocr_word.text)
        offset = end
    return "".join(parts), words


def empty_page(number: int, width: float, height: float, *, unit: str, source: PageSource) -> Page:
    return Page(number=number, width=width, height=height, unit=unit, source=source, text="")


def native_page(number: int, text: str) -> Page:
    """A page read from the format itself (office, text, HTML, e-mail): text only, no boxes."""
    return Page(
        number=number, width=0.0, height=0.0, unit=NATIVE_UNIT, source=PageSource.native, text=text
    )


def native_pages(texts: list[str]) -> list[Page]:
    return [native_page(number, text) for number, text in enumerate(texts, start=1)]


def count_words(text: str) -> int:
    return len(text.split())


def paginate_text(text: str, words_per_page: int = WORDS_PER_NATIVE_PAGE) -> list[str]:
    """Split long text into pages of about ``words_per_page`` words, at line ends if possible.

    Always returns at least one page. Texts of a single huge line are cut between words.
    """
    pages: list[str] = []
    current: list[str] = []
    current_words = 0
    for line in text.splitlines():
        line_words = count_words(line)
        if current and current_words + line_words > words_per_page:
            pages.append("\n".join(current))
            current, current_words = [], 0
        if line_words > words_per_page:
            pages.extend(_cut_line(line, words_per_page))
            continue
        current.append(line)
        current_words += line_words
    if current or not pages:
        pages.append("\n".join(current))
    return pages


def _cut_line(line: str, words_per_page: int) -> list[str]:
    spans = [match.span() for match in _WORD.finditer(line)]
    chunks: list[str] = []
    for first in range(0, len(spans), words_per_page):
        last = min(first + words_per_page, len(spans)) - 1
        chunks.append(line[spans[first][0] : spans[last][1]])
    return chunks
