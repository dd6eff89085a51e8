"""``ocr_engine: auto``: per page, the engine that reads it better for what it costs.

RapidOCR reads more accurately than Tesseract on every set ``bench/ocr.py`` measures (receipts,
clean scans), but its cost grows with the pixels and the text of the page: on a 300 dpi page it
takes several times Tesseract's time and about a gigabyte of memory. So the page's size decides
who reads first:

- a small page (at most ``rapid_first_max_pixels``: receipts and photos as scanners and shops
  deliver them, screenshots, small scans) is read by RapidOCR alone; Tesseract reads it only
  when RapidOCR finds no word;
- on a larger page (full-page scans and PDF renderings) RapidOCR first finds the text lines
  (its detector works on the page scaled to about a megapixel: a fraction of a second). Where
  reading them is cheap (``rapid_first_max_reading``: a receipt scanned on an A4 sheet, a
  sparse form) RapidOCR reads them; a page dense with text is read by Tesseract, which is
  quicker there, and its reading stands when its mean word confidence reaches
  ``trusted_confidence`` (a clean scan). Where it is unsure (photos, uneven light, small
  print) RapidOCR reads the lines it found too, and its reading wins unless it found less than
  half as many words; on a page whose lines would take it longer than
  ``second_opinion_max_reading`` (a dense table), Tesseract's reading stands.

The confidence threshold is measured by ``bench/ocr.py`` (tuned on one fold of the corpus,
scored on the other); the size and reading bounds are costs, measured there too. Signals of
the image itself did not separate receipts from clean scans (receipts are mostly scanned on
white paper, and the share of near-black ink on a thumbnail read 0.0 on 300 dpi renderings
of clean PDF pages); the amount of text the detector finds does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image

from folio.pipeline.ocr.base import OcrEngine, OcrWord, mean_confidence
from folio.pipeline.ocr.rapid import Detection, RapidOcrEngine
from folio.pipeline.ocr.tesseract import MAX_DPI, MIN_DPI
from folio.pipeline.types import OcrEngineName

E = TypeVar("E", bound=OcrEngine)


@dataclass(frozen=True, slots=True)
class AutoPolicy:
    trusted_confidence: float = 88.0  # Tesseract's mean word confidence its reading stands at
    rapid_first_max_pixels: int = 2_500_000  # pages up to this size are RapidOCR's alone
    # larger pages are RapidOCR's when its reading is at most this long, in line heights
    rapid_first_max_reading: float = 800.0
    # RapidOCR's second opinion on a page Tesseract was unsure of reads all the page's lines:
    # past this length (about 3 s on 2 cores; a dense table) Tesseract's reading stands
    second_opinion_max_reading: float = 1500.0


# Recognition time per detected line, in line heights of text (fitted on the 61 SROIE receipts,
# two book scans and 20 text-layer pages rendered at 300 dpi: 8.7 ms a line, 2.6 ms a height).
LINE_COST = 3.4
# The detector's box around a line of body text (10 to 11 pt type) is about 12 points tall: a
# page that does not state its resolution is given to Tesseract at the one its lines imply.
# Tesseract's own estimate broke a LaTeX page into columns mid-line (character error rate 0.36);
# any stated resolution from 200 to 400 dpi read it right (0.002).
BODY_LINE_POINTS = 12.0


POLICY = AutoPolicy()


def keeps_tesseract(confidence: float | None, policy: AutoPolicy = POLICY) -> bool:
    """Tesseract's reading stands when its mean word confidence is high."""
    return confidence is not None and confidence >= policy.trusted_confidence


def reads_with_rapidocr_first(pixels: int, policy: AutoPolicy = POLICY) -> bool:
    """Small pages: RapidOCR's reading is the better one, and it is cheap there."""
    return pixels <= policy.rapid_first_max_pixels


def reading_cost(detection: Detection) -> float | None:
    """What reading the lines RapidOCR found would cost, in line heights; None: not known."""
    if detection.line_lengths is None:
        return None
    return detection.line_lengths + LINE_COST * detection.lines


def cheap_to_read(detection: Detection, policy: AutoPolicy = POLICY) -> bool:
    """A large page RapidOCR reads first: few or short lines (a receipt, a sparse form)."""
    cost = reading_cost(detection)
    return cost is not None and cost <= policy.rapid_first_max_reading


def worth_a_second_opinion(reading: float | None, policy: AutoPolicy = POLICY) -> bool:
    """Whether RapidOCR may read again a page Tesseract was unsure of, whose lines are
    ``reading`` line heights long: not when that would take longer than the policy allows (an
    unknown length is allowed)."""
    return reading is None or reading <= policy.second_opinion_max_reading


def resolution_of(detection: Detection) -> int | None:
    """The resolution (dpi) the page's median line implies, if it is a plausible one."""
    if not detection.line_height:
        return None
    dpi = round(detection.line_height * 72 / BODY_LINE_POINTS)
    return dpi if MIN_DPI <= dpi <= MAX_DPI else None


def takes_rapidocr(tesseract_words: int, rapidocr_words: int) -> bool:
    """Of two readings of a page Tesseract was unsure of: RapidOCR's, unless it lost words."""
    return rapidocr_words * 2 >= tesseract_words


class AutoEngine:
    """Chooses per page; created per document, the engines it uses are process-wide."""

    name = OcrEngineName.auto

    def __init__(
        self,
        tesseract: Callable[[], OcrEngine],
        rapidocr: Callable[[], RapidOcrEngine] | None,
        policy: AutoPolicy = POLICY,
    ) -> None:
        self._tesseract = tesseract
        self._rapidocr = rapidocr
        self._policy = policy
        self._detection: Detection | None = None  # RapidOCR's lines of the page Tesseract read
        self.used: dict[OcrEngineName, str] = {}  # engines that read a page, with versions

    @property
    def version(self) -> str:
        return ", ".join(f"{name.value} {version}" for name, version in self.used.items())

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        first = self.first(image)
        return self.second_opinion(image, dpi, first.recognize(image, dpi), first)

    def first(self, image: Image.Image) -> OcrEngine:
        """The engine that reads the page first (the session turns pages upright with it)."""
        self._detection = None
        if self._rapidocr is None:
            return self._use(self._tesseract)
        if reads_with_rapidocr_first(image.width * image.height, self._policy):
            return self._use(self._rapidocr)
        detection = self._rapidocr().detect(image)
        if cheap_to_read(detection, self._policy):
            return DetectedLines(self._use(self._rapidocr), detection)
        self._detection = detection
        return AtResolution(self._use(self._tesseract), resolution_of(detection))

    def tesseract(self) -> OcrEngine:
        """Tesseract, for parts of pages (images on text-layer pages): cheap to load and to run
        on a logo, where RapidOCR's models would cost most of a gigabyte."""
        return self._use(self._tesseract)

    def second_opinion(
        self, image: Image.Image, dpi: int | None, words: list[OcrWord], first: OcrEngine
    ) -> list[OcrWord]:
        """``words`` of the upright page read by ``first``, or a second engine's reading: after
        RapidOCR that found nothing, Tesseract's; after Tesseract that was unsure, RapidOCR's."""
        detection, self._detection = self._detection, None
        if first.name is OcrEngineName.rapidocr:
            return words or self._use(self._tesseract).recognize(image, dpi)
        if self._rapidocr is None or keeps_tesseract(mean_confidence(words), self._policy):
            return words
        reading = reading_cost(detection) if detection is not None else None
        if not worth_a_second_opinion(reading, self._policy):
            return words
        second = DetectedLines(self._use(self._rapidocr), detection).recognize(image, dpi)
        return second if takes_rapidocr(len(words), len(second)) else words

    def _use(self, loader: Callable[[], E]) -> E:
        engine = loader()
        self.used.setdefault(engine.name, engine.version)
        return engine


class AtResolution:
    """An engine told the resolution a page's lines imply, where the page does not say it."""

    def __init__(self, engine: OcrEngine, dpi: int | None) -> None:
        self._engine = engine
        self._dpi = dpi
        self.name = engine.name
        self.version = engine.version

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        return self._engine.recognize(image, dpi or self._dpi)


class DetectedLines:
    """RapidOCR for a page whose lines it has already found: reads them without finding them
    again. Any other image (the page turned upright) is read from scratch."""

    name = OcrEngineName.rapidocr

    def __init__(self, engine: RapidOcrEngine, detection: Detection | None) -> None:
        self._engine = engine
        self._detection = detection
        self.version = engine.version

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        detection = self._detection
        if detection is not None and detection.image is image:
            return self._engine.read(detection)
        return self._engine.recognize(image, dpi)
