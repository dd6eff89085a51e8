"""Language detection over the pages' text."""

from __future__ import annotations

import pytest

from folio.pipeline.language import detect_language
from folio.pipeline.pages import native_page


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The quarterly report shows that revenue grew faster than expected.", "en"),
        ("Der Bericht zeigt, dass der Umsatz schneller gewachsen ist als erwartet.", "de"),
        ("Le rapport montre que le chiffre d'affaires a augmenté plus vite que prévu.", "fr"),
    ],
)
def test_language(text: str, code: str) -> None:
    guess = detect_language([native_page(1, text)])
    assert guess.code == code
    assert guess.confidence is not None and guess.confidence > 0.5


@pytest.mark.parametrize("text", ["", "Total 12.00", "12 34 56 78 90 11 22 33 44 55 66 77"])
def test_no_language_for_too_little_text(text: str) -> None:
    guess = detect_language([native_page(1, text)])
    assert (guess.code, guess.confidence) == (None, None)
