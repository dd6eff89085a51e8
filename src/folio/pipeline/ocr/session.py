"""OCR for one document: engine choice, orientation recovery and the running tally."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from PIL import Image

from folio.pipeline.errors import OcrUnavailable
from folio.pipeline.ocr import rapid, tesseract
from folio.pipeline.ocr.auto import AutoEngine
from folio.pipeline.ocr.base import (
    OcrEngine,
    OcrWord,
    mean_confidence,
    mostly_vertical,
    prepare_image,
    recognized_mass,
)
from folio.pipeline.types import OcrEngineName, OcrInfo, OcrMode, PipelineOptions

DOUBTFUL_CONFIDENCE = 60.0  # below this mean word confidence, check the page orientation
RAPIDOCR_LANGUAGES = {"en", "zh"}
BLANK_LEVEL = 250
NEAR_TIE = 0.9  # a turned reading of vertical text wins unless clearly worse
# An A4 page at 300 dpi. Larger image files (600 dpi scans, big photos) are read reduced to
# this: finer pixels cost Tesseract time in proportion and did not read SROIE's 600 dpi receipt
# scans better. PDF pages are rendered for OCR at a chosen resolution and are not reduced.
MAX_OCR_PIXELS = 9_000_000


@dataclass(frozen=True)
class OcrOutput:
    words: list[OcrWord]
    rotation: int  # clockwise degrees applied to the input image before the words were read
    width: int  # of the image the boxes refer to (after rotation)
    height: int
    confidence: float | None  # mean word confidence


class OcrSession:
    """Created per document; loads (cached, process-wide) engines only when a page needs OCR."""

    def __init__(self, options: PipelineOptions, warnings: list[str]) -> None:
        self._options = options
        self._warnings = warnings
        self._engine: OcrEngine | None = None
        self.pages = 0
        self._confidence_sum = 0.0
        self._word_count = 0

    def recognize(
        self, image: Image.Image, dpi: int | None, *, reducible: bool = False
    ) -> OcrOutput:
        """A page's words; ``reducible``: an image file's pixels, which may be read reduced
        (``reduction``); a rendered page's resolution was already chosen for OCR."""
        engine = self._ensure_engine()
        image = prepare_image(image)
        if _is_blank(image):
            output = OcrOutput([], 0, image.width, image.height, None)
        elif reducible:
            factor = reduction(image.width, image.height, dpi, self._options.limits.ocr_dpi)
            output = self._read_reduced(engine, image, dpi, factor)
        else:
            output = self._read_upright(engine, image, dpi)
        self.pages += 1
        self._confidence_sum += sum(word.confidence for word in output.words)
        self._word_count += len(output.words)
        return output

    def read_region(self, image: Image.Image, dpi: int | None) -> OcrOutput:
        """Words of a part of a page (an image on a text-layer page): read as it stands, with
        no orientation check, and not counted as an OCR'd page. With ``auto`` only Tesseract
        reads it: a logo is no reason to load RapidOCR's models."""
        engine = self._ensure_engine()
        image = prepare_image(image)
        if isinstance(engine, AutoEngine):
            engine = engine.tesseract()
        words = [] if _is_blank(image) else engine.recognize(image, dpi)
        self._confidence_sum += sum(word.confidence for word in words)
        self._word_count += len(words)
        return OcrOutput(words, 0, image.width, image.height, mean_confidence(words))

    @property
    def engine(self) -> OcrEngine | None:
        """The engine this document used, if any page needed OCR."""
        return self._engine

    def info(self, mode: OcrMode) -> OcrInfo:
        engine = self._engine
        mean = self._confidence_sum / self._word_count if self._word_count else None
        return OcrInfo(
            mode=mode,
            engine=engine.name if engine is not None else None,
            engine_version=(engine.version or None) if engine is not None else None,
            pages_ocr=self.pages,
            mean_confidence=round(mean, 2) if mean is not None else None,
        )

    def _ensure_engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = self._load_engine()
        return self._engine

    def _load_engine(self) -> OcrEngine:
        hints = self._options.languages
        chosen = self._options.ocr_engine
        if chosen is OcrEngineName.rapidocr:
            ignored = sorted({hint for hint in hints if hint.lower() not in RAPIDOCR_LANGUAGES})
            if ignored:
                self._warnings.append(
                    f"RapidOCR reads Latin and Chinese text only; language hints {ignored} ignored"
                )
            return rapid.load_engine()
        languages, warnings = tesseract.resolve_languages(hints)
        self._warnings.extend(warnings)
        if chosen is OcrEngineName.tesseract:
            return tesseract.load_engine(languages)
        return AutoEngine(
            lambda: tesseract.load_engine(languages),
            rapid.load_engine if _rapidocr_reads(hints) else None,
        )

    def versions(self) -> dict[str, str]:
        """The engines that read pages of this document, with their versions."""
        engine = self._engine
        if isinstance(engine, AutoEngine):
            return {name.value: version for name, version in engine.used.items()}
        return {engine.name.value: engine.version} if engine is not None else {}

    def _read_reduced(
        self, engine: OcrEngine, image: Image.Image, dpi: int | None, factor: float
    ) -> OcrOutput:
        """The image read reduced by ``factor``, its boxes scaled back to its own pixels."""
        if factor == 1.0:
            return self._read_upright(engine, image, dpi)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        reduced = image.resize(size, Image.Resampling.BOX)
        output = self._read_upright(engine, reduced, round(dpi * factor) if dpi else None)
        turned = output.rotation in (90, 270)
        width, height = (image.height, image.width) if turned else image.size
        return _scaled(output, width, height)

    def _read_upright(self, engine: OcrEngine, image: Image.Image, dpi: int | None) -> OcrOutput:
        """Read the image; if the reading looks turned, ask OSD and read the turned image too.

        Upright pages with confident words cost one engine run. A page read with low confidence,
        or read as vertical lines (both engines read a page turned by 90 degrees that way), is
        turned (as OSD says after Tesseract; as RapidOCR's own reading says after RapidOCR) and
        read again; the better reading wins, the upright one on a near tie.
        With ``auto``, the engine that reads the page first decides the orientation; where that
        was Tesseract, RapidOCR may then read the upright page.
        """
        auto = engine if isinstance(engine, AutoEngine) else None
        if auto is not None:
            engine = auto.first(image)
        words = engine.recognize(image, dpi)
        rotation = 0
        vertical = mostly_vertical(words)
        turn = _likely_turn(engine, image, words, vertical)
        if turn:
            turned = image.rotate(-turn, expand=True)
            retry = engine.recognize(turned, dpi)
            margin = NEAR_TIE if vertical else 1.0
            if recognized_mass(retry) > margin * recognized_mass(words):
                image, words, rotation = turned, retry, turn
        if auto is not None:
            words = auto.second_opinion(image, dpi, words, engine)
        width, height = image.size
        return OcrOutput(words, rotation, width, height, mean_confidence(words))


def reduction(width: int, height: int, dpi: int | None = None, ocr_dpi: int = 300) -> float:
    """The factor an image is reduced by for OCR (1.0: read as it is): to MAX_OCR_PIXELS, but
    an image whose resolution is known is not reduced below ``ocr_dpi`` (a large-format scan
    keeps its small print legible)."""
    factor = min(1.0, math.sqrt(MAX_OCR_PIXELS / max(1, width * height)))
    if dpi is not None:
        factor = max(factor, min(1.0, ocr_dpi / dpi))
    return factor


def _scaled(output: OcrOutput, width: int, height: int) -> OcrOutput:
    """``output`` of a reduced image, its boxes in the pixels of the full-size one."""
    sx, sy = width / output.width, height / output.height
    words = [
        replace(word, bbox=(x0 * sx, y0 * sy, x1 * sx, y1 * sy))
        for word in output.words
        for x0, y0, x1, y1 in (word.bbox,)
    ]
    return replace(output, words=words, width=width, height=height)


def _rapidocr_reads(hints: tuple[str, ...]) -> bool:
    """RapidOCR's models read Latin and Chinese script: other hints keep auto on Tesseract."""
    return rapid.rapidocr_available() and all(hint.lower() in RAPIDOCR_LANGUAGES for hint in hints)


def _is_blank(image: Image.Image) -> bool:
    """No pixel darker than light grey: nothing to read (saves an engine run and OSD)."""
    darkest = image.convert("L").getextrema()[0]
    return isinstance(darkest, int | float) and darkest >= BLANK_LEVEL


def _likely_turn(
    engine: OcrEngine, image: Image.Image, words: list[OcrWord], vertical: bool
) -> int:
    """Clockwise degrees worth a second reading; 0 when the reading looks upright."""
    if engine.name is OcrEngineName.rapidocr:
        return rapid.likely_turn(words)
    return _upright_rotation(image) if vertical or _low_confidence(words) else 0


def _low_confidence(words: list[OcrWord]) -> bool:
    confidence = mean_confidence(words)
    return confidence is None or confidence < DOUBTFUL_CONFIDENCE


def _upright_rotation(image: Image.Image) -> int:
    try:
        detector = tesseract.load_orientation_detector()
    except OcrUnavailable:
        return 0
    return detector.upright_rotation(image)
