"""``ocr_engine: auto``: per page, the engine that reads it better for what it costs.

RapidOCR reads more accurately than Tesseract on every set ``bench/ocr.py`` measures (receipts,
clean scans), but its cost grows with the pixels and the text of the page: on a 300 dpi page it
takes several times Tesseract's time and about a gigabyte of memory. So the page's size decides
who reads first:

- a small page (at most ``rapid_first_max_pixels``: receipts and photos as scanners and shops
  deliver them, screenshots, small scans) is read by RapidOCR alone; Tesseract reads it only
  when RapidOCR finds no word;
- a larger page (full-page scans and PDF renderings) is read by Tesseract, and its reading
  stands when its mean word confidence reaches ``trusted_confidence`` (a clean scan); where it
  is unsure (photos, uneven light, small print) RapidOCR reads the page too, and its reading
  wins unless it found less than half as many words.

The threshold is measured by ``bench/ocr.py`` (tuned on one fold of the corpus, scored on the
other). Signals of the image itself did not separate receipts from clean scans: receipts are
mostly scanned on white paper, and the share of near-black ink on a thumbnail read 0.0 on 300
dpi renderings of clean PDF pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from folio.pipeline.ocr.base import OcrEngine, OcrWord, mean_confidence
from folio.pipeline.types import OcrEngineName


@dataclass(frozen=True, slots=True)
class AutoPolicy:
    trusted_confidence: float = 88.0  # Tesseract's mean word confidence its reading stands at
    rapid_first_max_pixels: int = 2_500_000  # pages up to this size are RapidOCR's alone


POLICY = AutoPolicy()


def keeps_tesseract(confidence: float | None, policy: AutoPolicy = POLICY) -> bool:
    """Tesseract's reading stands when its mean word confidence is high."""
    return confidence is not None and confidence >= policy.trusted_confidence


def reads_with_rapidocr_first(pixels: int, policy: AutoPolicy = POLICY) -> bool:
    """Small pages: RapidOCR's reading is the better one, and it is cheap there."""
    return pixels <= policy.rapid_first_max_pixels


def takes_rapidocr(tesseract_words: int, rapidocr_words: int) -> bool:
    """Of two readings of a page Tesseract was unsure of: RapidOCR's, unless it lost words."""
    return rapidocr_words * 2 >= tesseract_words


class AutoEngine:
    """Chooses per page; created per document, the engines it uses are process-wide."""

    name = OcrEngineName.auto

    def __init__(
        self,
        tesseract: Callable[[], OcrEngine],
        rapidocr: Callable[[], OcrEngine] | None,
        policy: AutoPolicy = POLICY,
    ) -> None:
        self._tesseract = tesseract
        self._rapidocr = rapidocr
        self._policy = policy
        self.used: dict[OcrEngineName, str] = {}  # engines that read a page, with versions

    @property
    def version(self) -> str:
        return ", ".join(f"{name.value} {version}" for name, version in self.used.items())

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        first = self.first(image)
        return self.second_opinion(image, dpi, first.recognize(image, dpi), first)

    def first(self, image: Image.Image) -> OcrEngine:
        """The engine that reads the page first (the session turns pages upright with it)."""
        pixels = image.width * image.height
        if self._rapidocr is not None and reads_with_rapidocr_first(pixels, self._policy):
            return self._use(self._rapidocr)
        return self._use(self._tesseract)

    def tesseract(self) -> OcrEngine:
        """Tesseract, for parts of pages (images on text-layer pages): cheap to load and to run
        on a logo, where RapidOCR's models would cost most of a gigabyte."""
        return self._use(self._tesseract)

    def second_opinion(
        self, image: Image.Image, dpi: int | None, words: list[OcrWord], first: OcrEngine
    ) -> list[OcrWord]:
        """``words`` of the upright page read by ``first``, or a second engine's reading: after
        RapidOCR that found nothing, Tesseract's; after Tesseract that was unsure, RapidOCR's."""
        if first.name is OcrEngineName.rapidocr:
            return words or self._use(self._tesseract).recognize(image, dpi)
        if self._rapidocr is None or keeps_tesseract(mean_confidence(words), self._policy):
            return words
        second = self._use(self._rapidocr).recognize(image, dpi)
        return second if takes_rapidocr(len(words), len(second)) else words

    def _use(self, loader: Callable[[], OcrEngine]) -> OcrEngine:
        engine = loader()
        self.used.setdefault(engine.name, engine.version)
        return engine
