"""OCR engines (Tesseract default, RapidOCR selectable), each loaded once per process."""

from __future__ import annotations

import os
from typing import TypedDict

from folio.pipeline.ocr import rapid, tesseract
from folio.pipeline.ocr.base import OcrWord
from folio.pipeline.ocr.session import OcrOutput, OcrSession

__all__ = [
    "EngineStatus",
    "OcrOutput",
    "OcrSession",
    "OcrWord",
    "engines_available",
    "share_cores",
]


class EngineStatus(TypedDict, total=False):
    available: bool
    version: str
    languages: list[str]  # Tesseract's installed languages, ``osd`` included
    orientation_detection: bool
    error: str  # why the engine could not be asked


def share_cores(processes: int) -> None:
    """This process is one of ``processes`` running documents at once on this machine: its
    engines use their share of the cores (call before the first page is read)."""
    rapid.set_threads(max(1, (os.cpu_count() or 1) // max(1, processes)))


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
