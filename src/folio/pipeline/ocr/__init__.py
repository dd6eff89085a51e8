"""OCR engines (Tesseract default, RapidOCR selectable), each loaded once per process."""

from __future__ import annotations

from folio.pipeline.ocr import rapid, tesseract
from folio.pipeline.ocr.base import OcrWord
from folio.pipeline.ocr.session import OcrOutput, OcrSession

__all__ = ["OcrOutput", "OcrSession", "OcrWord", "engines_available"]


def engines_available() -> dict[str, dict[str, object]]:
    """Which engines can run here, with versions; loads no model (cheap enough for /health)."""
    return {"tesseract": _tesseract_status(), "rapidocr": _rapidocr_status()}


def _tesseract_status() -> dict[str, object]:
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


def _rapidocr_status() -> dict[str, object]:
    if not rapid.rapidocr_available():
        return {"available": False}
    return {"available": True, "version": rapid.rapidocr_version()}
