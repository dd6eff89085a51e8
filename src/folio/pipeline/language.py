"""Document language with py3langid (model in the wheel, loaded once per process)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from folio.pipeline.types import Page

MIN_LETTERS = 20  # below this, no guess
MIN_CONFIDENCE = 0.4  # below this, the guess is mostly noise (tables, codes, mixed languages)
SAMPLE_CHARS = 2_000  # the classifier is linear in text length; a sample is as good
_LETTERS = re.compile(r"[^\W\d_]")
_lock = threading.Lock()


@dataclass(frozen=True)
class LanguageGuess:
    code: str | None  # ISO 639-1
    confidence: float | None  # 0..1


NO_GUESS = LanguageGuess(None, None)


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(pages: list[Page]) -> LanguageGuess:
    sample = _sample(pages)
    if len(_LETTERS.findall(sample)) < MIN_LETTERS:
        return NO_GUESS
    with _lock:
        code, confidence = _identifier().classify(sample)
    if len(code) != 2 or confidence < MIN_CONFIDENCE:  # only ISO 639-1 codes are reported
        return NO_GUESS
    return LanguageGuess(str(code), round(float(confidence), 4))


def _sample(pages: list[Page]) -> str:
    """Up to ``SAMPLE_CHARS`` of text, taken evenly across the pages."""
    texts = [page.text for page in pages if page.text]
    if not texts:
        return ""
    share = max(SAMPLE_CHARS // len(texts), 100)
    return "\n".join(text[:share] for text in texts)[:SAMPLE_CHARS]
