"""OCR engines (Tesseract default, RapidOCR selectable), each loaded once per process."""

from __future__ import annotations

from typing import TypedDict

from folio.pipeline.ocr import rapid, tesseract
from folio.pipeline.ocr.base import OcrWord
from folio.pipeline.ocr.session import OcrOutput, OcrSession

__all__ = ["EngineStatus", "OcrOutput", "OcrSession", "OcrWord", "engines_available"]


class EngineStatus(TypedDict, total=False):
    available: bool
    version: str
    languages: list[str]  # Tesseract's installed languages, ``osd`` included
    orientation_detection: bool
    error: str  # why the engine could not be asked


def engines_available() -> dict[str, EngineStatus]:
    """Which engines can run here, with versions; loads no model (cheap enough for /health)."""
    return {"tesseract": _tesseract_status(), "rapidocr": _rapidocr_status()}


def _tesseract_status() -> EngineStatus:
    try:
        languages = tesseract.installed_languages()
        version = tesseract.tesseract_version()
    except (OSError, RuntimeError) as exc:
        return {"available": False, "error": type(exc).__name__}
    usable = [language for language in languages if language != "osd"]
    return {
        "available": bool(usable),
        "version": version,
        "languages": languages,
        "orientation_detection": "osd" in languages,
    }


def _rapidocr_status() -> EngineStatus:
    if not rapid.rapidocr_available():
        return {"available": False}
    return {"available": True, "version": rapid.rapidocr_version()}
