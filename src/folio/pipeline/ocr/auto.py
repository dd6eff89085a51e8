"""``ocr_engine: auto``: per page, Tesseract where it is sure, RapidOCR elsewhere.

Tesseract reads first: it is several times faster than RapidOCR, and on clean scans it reads
confidently and well. Where its mean word confidence is below the policy's threshold (photos,
receipts, uneven light, small print) RapidOCR reads the page too, and its reading wins unless it
found less than half as many words. The threshold is measured by ``bench/ocr.py`` (tuned on one
fold of the corpus, scored on the other). Signals of the image itself were measured too and did
not separate receipts from clean scans at every resolution: the share of near-black ink on a
thumbnail sent 300 dpi renderings of clean PDF pages to RapidOCR (slower, and 1 GB of memory).
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


POLICY = AutoPolicy()


def keeps_tesseract(confidence: float | None, policy: AutoPolicy = POLICY) -> bool:
    """Tesseract's reading stands when its mean word confidence is high."""
    return confidence is not None and confidence >= policy.trusted_confidence


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
        return self._use(self._tesseract)

    def second_opinion(
        self, image: Image.Image, dpi: int | None, words: list[OcrWord], first: OcrEngine
    ) -> list[OcrWord]:
        """``words`` of the upright page read by ``first``; where that was Tesseract and it was
        unsure, RapidOCR's reading."""
        if first.name is not OcrEngineName.tesseract or self._rapidocr is None:
            return words
        if keeps_tesseract(mean_confidence(words), self._policy):
            return words
        second = self._use(self._rapidocr).recognize(image, dpi)
        return second if takes_rapidocr(len(words), len(second)) else words

    def _use(self, loader: Callable[[], OcrEngine]) -> OcrEngine:
        engine = loader()
        self.used.setdefault(engine.name, engine.version)
        return engine
