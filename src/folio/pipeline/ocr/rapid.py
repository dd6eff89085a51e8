"""RapidOCR 3 (PP-OCRv6 ONNX models shipped in its wheel): line boxes split into words."""

from __future__ import annotations

import importlib.util
import logging
import math
import threading
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from PIL import Image

from folio.pipeline.errors import OcrUnavailable
from folio.pipeline.ocr.base import Box, OcrWord, mean_confidence, mostly_vertical
from folio.pipeline.ocr.layout import MIN_GUTTER_LINES, Placed, reading_order
from folio.pipeline.types import OcrEngineName

if TYPE_CHECKING:
    from rapidocr.utils.output import RapidOCROutput

logger = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

# Text detection runs on the page scaled to about DET_PIXELS (small pages are enlarged until
# their shorter side has DET_MIN_SIDE, RapidOCR's default); recognition still reads the lines
# from the page itself. On the SROIE receipts: 20 % less CPU than RapidOCR's default sizing and
# the same character error rate (0.0845 against 0.0852); less memory on 300 dpi pages.
DET_PIXELS = 1_000_000
DET_MIN_SIDE = 736
PREPROCESS_MAX_SIDE = 2000  # RapidOCR's Global.max_side_len: pages are first scaled to fit it
DOUBTFUL_CONFIDENCE = 80.0  # mean line score (x100) below which a page may be upside down
VERTICAL_RATIO = 1.5  # RapidOCR turns crops this much taller than wide before reading them
Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]  # top-left, top-right, bottom-right, bottom-left


def models_dir() -> Path | None:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


def rapidocr_available() -> bool:
    folder = models_dir()
    if folder is None or importlib.util.find_spec("onnxruntime") is None:
        return False
    return (folder / DET_MODEL).is_file() and (folder / REC_MODEL).is_file()


def rapidocr_version() -> str:
    return metadata.version("rapidocr")


class RapidOcrEngine:
    name = OcrEngineName.rapidocr

    def __init__(self) -> None:
        folder = models_dir()
        if folder is None or not rapidocr_available():
            raise OcrUnavailable("RapidOCR or its models are not installed")
        from rapidocr import RapidOCR  # heavy import (onnxruntime, OpenCV): only when chosen

        params: dict[str, Any] = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Det.model_path": str(folder / DET_MODEL),  # explicit paths: never a download
            "Rec.model_path": str(folder / REC_MODEL),
            "Global.max_side_len": PREPROCESS_MAX_SIDE,
        }
        self._engine = RapidOCR(params=params)
        self._engine(np.full((64, 64, 3), 255, np.uint8))  # loads the detector (blank: no rec)
        self._detector = _sizable_detector(self._engine)
        self._steps = _has_steps(self._engine)
        self._no_text, self._no_classes = _step_types()
        _quiet_threads(self._engine, folder)
        self._lock = threading.Lock()
        self.version = rapidocr_version()

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        return self.read(self.detect(image))

    def read_lines(self, image: Image.Image) -> list[tuple[Quad, str, float]]:
        """The detected lines with their text and score (0..1), in the engine's own order."""
        return self._read_lines(self.detect(image))

    def detect(self, image: Image.Image) -> Detection:
        """The text lines on ``image``, found but not yet read (``read`` reads them): what
        finding them tells (how much text there is) can decide whether to read them."""
        pixels = np.asarray(image.convert("RGB"))
        with self._lock:
            if self._detector is not None:
                limit_type, limit_side = detection_size(image.height, image.width)
                self._detector.limit_type, self._detector.limit_side_len = limit_type, limit_side
            if not self._steps:
                return Detection(image, 0, None, pixels)  # read in one call
            prepared, record = self._engine.preprocess_img(pixels)
            try:
                crops, found = self._engine.detect_and_crop(prepared, record)
            except self._no_text:
                return Detection(image, 0, 0.0, None)
        steps = (pixels, crops, found, record)
        height = median_line_height(found.boxes) * image.height / max(1, prepared.shape[0])
        return Detection(image, len(crops), line_lengths(found.boxes), steps, height)

    def read(self, detection: Detection) -> list[OcrWord]:
        """The words of the lines ``detect`` found, in reading order."""
        return words_in_reading_order(self._read_lines(detection))

    def _read_lines(self, detection: Detection) -> list[tuple[Quad, str, float]]:
        if detection.steps is None:
            return []
        with self._lock:
            if not self._steps:
                output = self._read_whole(detection.steps)
            else:
                pixels, crops, found, record = detection.steps
                try:
                    text = self._engine.recognize_txt(crops)
                except self._no_text:
                    return []
                output = cast(
                    "RapidOCROutput",
                    self._engine.build_final_output(
                        pixels, found, self._no_classes(), text, crops, record
                    ),
                )
        if output.boxes is None or output.txts is None or output.scores is None:
            return []
        return [
            (_as_quad(box), str(text), float(score))
            for box, text, score in zip(output.boxes, output.txts, output.scores, strict=False)
        ]

    def _read_whole(self, pixels: np.ndarray) -> RapidOCROutput:
        """RapidOCR's own pipeline in one call (det and rec on, cls off), whatever the union
        of its return type says."""
        return cast("RapidOCROutput", self._engine(pixels, use_det=True, use_rec=True))


@dataclass(frozen=True, slots=True, eq=False)
class Detection:
    """Text lines RapidOCR found on an image, and what it needs to read them."""

    image: Image.Image
    lines: int
    line_lengths: float | None  # the lines' lengths in line heights (None: not known)
    steps: Any  # RapidOCR's state between detection and recognition; None: no text
    line_height: float | None = None  # the median line's height, in pixels of ``image``


def median_line_height(boxes: Any) -> float:
    """The height of the median detected line, in the pixels the boxes are in."""
    heights = sorted(
        float(np.linalg.norm(np.asarray(box[3], float) - np.asarray(box[0], float)))
        for box in boxes
    )
    return heights[len(heights) // 2] if heights else 0.0


def line_lengths(boxes: Any) -> float:
    """The length of the detected lines in line heights: what recognition reads, as every line
    is scaled to one height (its cost grows with this and with the number of lines)."""
    total = 0.0
    for box in boxes:
        top_left, top_right, _, bottom_left = (np.asarray(point, float) for point in box)
        width = float(np.linalg.norm(top_right - top_left))
        height = float(np.linalg.norm(bottom_left - top_left))
        total += max(1.0, width / max(height, 1.0))
    return total


def detection_size(height: int, width: int) -> tuple[str, int]:
    """RapidOCR's detector sizing (``limit_type``, ``limit_side_len``) for a page of this size:
    about DET_PIXELS, and a shorter side of at least DET_MIN_SIDE where that is more."""
    shrink = min(1.0, PREPROCESS_MAX_SIDE / max(height, width, 1))
    height, width = max(1, round(height * shrink)), max(1, round(width * shrink))
    ratio = max(1.0, DET_MIN_SIDE / min(height, width))  # small pages are enlarged
    ratio = min(ratio, math.sqrt(DET_PIXELS / (height * width)))  # within about DET_PIXELS
    if ratio > 1.0:
        return "min", round(min(height, width) * ratio)
    return "max", max(32, round(max(height, width) * ratio))


def _sizable_detector(engine: Any) -> Any:
    """RapidOCR's text detector, whose input size is set per page; None (RapidOCR's own sizing,
    with a warning) in a release that does not expose it."""
    detector = getattr(engine, "text_det", None)
    if detector is None or not all(
        hasattr(detector, name) for name in ("limit_type", "limit_side_len")
    ):
        logger.warning("RapidOCR %s: no detector sizing; its default is used", rapidocr_version())
        return None
    return detector


STEPS = ("preprocess_img", "detect_and_crop", "recognize_txt", "build_final_output")


def _has_steps(engine: Any) -> bool:
    """Whether this RapidOCR release exposes detection and recognition as separate steps
    (3.x does); without them a page is found and read in one call, and read twice when the
    finding decides whether to read it."""
    if all(hasattr(engine, name) for name in STEPS):
        return True
    logger.warning("RapidOCR %s: no separate detection step", rapidocr_version())
    return False


def _step_types() -> tuple[type[Exception], Any]:
    """RapidOCR's "nothing found" error and its empty angle-classifier output."""
    try:
        from rapidocr.ch_ppocr_cls.utils import TextClsOutput
        from rapidocr.main import RapidOCRError
    except ImportError:
        return LookupError, lambda: None
    return RapidOCRError, TextClsOutput


def _quiet_threads(engine: Any, folder: Path) -> None:
    """Gives RapidOCR's models onnxruntime sessions whose idle threads sleep.

    onnxruntime's threads spin while they wait for work. Pipeline workers run one per core, so
    two documents at once put four threads on two cores, and the spinning ones took time from
    the working ones: two workers reading receipts together needed 30 % more CPU than with
    sleeping threads (``bench/ocr_threads.py``). A single document keeps all cores.
    """
    from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions

    try:
        parts = ((engine._load_det_model(), DET_MODEL), (engine._load_rec_model(), REC_MODEL))
        for part, model in parts:
            options = SessionOptions()
            options.log_severity_level = 4
            options.enable_cpu_mem_arena = False  # RapidOCR's own settings, spinning apart
            options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            part.session.session = InferenceSession(
                str(folder / model), sess_options=options, providers=["CPUExecutionProvider"]
            )
    except AttributeError:
        logger.warning("RapidOCR %s: its sessions are its own (threads spin)", rapidocr_version())


def likely_turn(words: list[OcrWord]) -> int:
    """Clockwise degrees that probably make the page upright, judged from RapidOCR's reading.

    On a page turned a quarter, the lines are tall strips, and RapidOCR turns each strip a
    quarter counter-clockwise before reading it: read confidently, the page needs that quarter
    turn (270 clockwise); read poorly, the other one. Upright lines read poorly may be upside
    down. Tesseract's OSD is no help here: on receipt photos it was unsure or wrong.
    """
    confidence = mean_confidence(words)
    if confidence is None:
        return 0
    if mostly_vertical(words):
        return 270 if confidence >= DOUBTFUL_CONFIDENCE else 90
    return 180 if confidence < DOUBTFUL_CONFIDENCE else 0


def _as_quad(box: Any) -> Quad:
    points = [(float(x), float(y)) for x, y in box]
    return points[0], points[1], points[2], points[3]


def words_in_reading_order(lines: list[tuple[Quad, str, float]]) -> list[OcrWord]:
    """Detected lines in reading order (rows, and columns where the page has them), as words."""
    placed = [Placed(_bounds(quad), (quad, text, score)) for quad, text, score in lines]
    words: list[OcrWord] = []
    for row_number, row in enumerate(reading_order(placed, MIN_GUTTER_LINES)):
        for quad, text, score in row:
            words.extend(split_line(quad, text, score * 100.0, row_number))
    return words


def _bounds(quad: Quad) -> Box:
    xs = [point[0] for point in quad]
    ys = [point[1] for point in quad]
    return min(xs), min(ys), max(xs), max(ys)


def split_line(quad: Quad, text: str, confidence: float, line: int) -> list[OcrWord]:
    """Split a recognized line into words whose boxes are proportional to character counts."""
    length = len(text)
    vertical = length > 1 and _is_upright_strip(quad)
    words: list[OcrWord] = []
    position = 0
    for token in text.split():
        start = text.index(token, position)
        position = start + len(token)
        box = _slice_box(quad, start / length, position / length)
        words.append(OcrWord(token, box, confidence, line, vertical))
    return words


def _is_upright_strip(quad: Quad) -> bool:
    """A line box taller than wide: text running down the page, as on a page turned sideways."""
    top_left, top_right, _, bottom_left = quad
    width = abs(top_right[0] - top_left[0]) + abs(top_right[1] - top_left[1])
    height = abs(bottom_left[0] - top_left[0]) + abs(bottom_left[1] - top_left[1])
    return height >= VERTICAL_RATIO * width


def _slice_box(quad: Quad, start: float, end: float) -> Box:
    """Axis-aligned box of the part of ``quad`` between fractions ``start`` and ``end``."""
    top_left, top_right, bottom_right, bottom_left = quad
    corners = (
        _lerp(top_left, top_right, start),
        _lerp(top_left, top_right, end),
        _lerp(bottom_left, bottom_right, start),
        _lerp(bottom_left, bottom_right, end),
    )
    xs = [point[0] for point in corners]
    ys = [point[1] for point in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _lerp(a: Point, b: Point, fraction: float) -> Point:
    return a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction


_load_lock = threading.Lock()


@cache
def _engine() -> RapidOcrEngine:
    return RapidOcrEngine()


def load_engine() -> RapidOcrEngine:
    """The process-wide RapidOCR engine (models load on first use)."""
    with _load_lock:
        return _engine()
