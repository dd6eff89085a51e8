"""The processing-time model on its own: prior first, then the history takes over."""

from __future__ import annotations

import random

from folio.ai.prediction import Sample, predict


def history(count: int, seed: int = 7) -> list[Sample]:
    """Text pages 0.2 s each plus 0.5 s; OCR pages 2 s; contracts take 1.5 times as long."""
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        pages, ocr = rng.randint(1, 40), rng.random() < 0.3
        kind = rng.choice(["invoice", "contract"])
        seconds = (0.5 + pages * (2.0 if ocr else 0.2)) * (1.5 if kind == "contract" else 1.0)
        seconds *= rng.uniform(0.9, 1.1)
        samples.append(Sample(pages, 1.0 if ocr else 0.0, kind, "pdf", seconds))
    return samples


def test_prior_before_any_history() -> None:
    text = predict([], pages=10, ocr_needed=False, document_type=None, kind=None)
    scanned = predict([], pages=10, ocr_needed=True, document_type=None, kind=None)

    assert text.samples == 0 and text.confidence == 0
    assert 1.0 < text.seconds < 5.0
    assert 15.0 < scanned.seconds < 60.0
    assert text.lower < text.seconds < text.upper


def test_history_is_learned() -> None:
    learned = history(400)

    text = predict(learned, pages=20, ocr_needed=False, document_type="invoice", kind="pdf")
    scanned = predict(learned, pages=20, ocr_needed=True, document_type="invoice", kind="pdf")
    contract = predict(learned, pages=20, ocr_needed=False, document_type="contract", kind="pdf")

    assert abs(text.seconds - 4.5) / 4.5 < 0.25
    assert abs(scanned.seconds - 40.5) / 40.5 < 0.25
    assert 1.3 < contract.seconds / text.seconds < 1.7
    assert text.confidence > 0.9
    assert text.lower < 4.5 < text.upper
    assert scanned.factors[0].factor in ("ocr", "page_count")
    assert abs(sum(f.impact for f in scanned.factors) - 1.0) < 0.01


def test_interval_narrows_with_consistent_history() -> None:
    few = predict(history(5), pages=20, ocr_needed=False, document_type="invoice", kind="pdf")
    many = predict(history(400), pages=20, ocr_needed=False, document_type="invoice", kind="pdf")

    assert many.upper / many.lower < few.upper / few.lower
