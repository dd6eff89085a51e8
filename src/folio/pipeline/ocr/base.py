"""What every OCR engine returns, and the image preparation they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from folio.pipeline.types import OcrEngineName

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str  # never contains whitespace
    bbox: Box  # pixels of the recognized image, top-left origin
    confidence: float  # 0..100
    line: int  # increases with each new text line, in reading order
    vertical: bool = False  # read top to bottom: for Latin script, a sign of a turned page


class OcrEngine(Protocol):
    name: OcrEngineName

    @property
    def version(self) -> str: ...

    def recognize(self, image: Image.Image, dpi: int | None) -> list[OcrWord]:
        """Words of ``image`` (mode ``L`` or ``RGB``) in reading order."""


def prepare_image(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and reduce to ``L`` or ``RGB``, as engines expect."""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        return image.convert("L")
    return image.convert("RGB")


def mean_confidence(words: list[OcrWord]) -> float | None:
    if not words:
        return None
    return sum(word.confidence for word in words) / len(words)


def mostly_vertical(words: list[OcrWord]) -> bool:
    return sum(word.vertical for word in words) * 2 > len(words)


def recognized_mass(words: list[OcrWord]) -> float:
    """Confidence-weighted character count: compares two readings of the same image."""
    return sum(word.confidence * len(word.text) for word in words)
