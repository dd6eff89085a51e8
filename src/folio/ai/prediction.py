"""Processing-time prediction: a log-linear model of this installation's own history,
shrunk toward a prior so that it answers sensibly before there is any history.

``log(seconds) = a + b·log(pages) + c·ocr + d·ocr·log(pages) + type + kind`` where ``ocr`` is
the share of pages that needed OCR. Ridge regression toward the prior weights: with few
documents the prior dominates, with many the history does. The interval is the model's
residual spread in log space (also shrunk toward a prior spread), so it is asymmetric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MODEL_VERSION = "processing-time-1"
MAX_HISTORY = 5000  # most recent completed documents
LEVEL = 0.9
Z = 1.645  # two-sided 90 %
PRIOR_STRENGTH = 3.0  # pseudo-documents behind the prior weights and spread
PRIOR_SIGMA = 0.7  # log-scale spread before any history (a factor of about 2 either way)
# 1 text page ≈ 1 s (analysis overhead dominates); +32 % per doubling of pages.
# 1 OCR page ≈ 3 s, then linear in pages (Tesseract ≈ 2 s a page at 300 dpi, DESIGN.md).
PRIOR = {"intercept": 0.0, "log_pages": 0.4, "ocr": math.log(3.0), "ocr_log_pages": 0.6}
BASE = tuple(PRIOR)


@dataclass(frozen=True)
class Sample:
    pages: int
    ocr_share: float  # 0..1
    document_type: str | None
    kind: str | None
    seconds: float


@dataclass(frozen=True)
class Factor:
    factor: str
    impact: float  # share of the total effect, 0..1
    multiplier: float  # how much this factor multiplies the time of a 1-page text document
    description: str


@dataclass(frozen=True)
class Prediction:
    seconds: float
    lower: float
    upper: float
    confidence: float
    samples: int
    factors: list[Factor]


def _columns(samples: list[Sample]) -> list[str]:
    types = sorted({f"type:{s.document_type}" for s in samples if s.document_type})
    kinds = sorted({f"kind:{s.kind}" for s in samples if s.kind})
    return [*BASE, *types, *kinds]


def _row(columns: list[str], pages: int, ocr: float, doc_type: str | None, kind: str | None):
    log_pages = math.log(max(pages, 1))
    values = {
        "intercept": 1.0,
        "log_pages": log_pages,
        "ocr": ocr,
        "ocr_log_pages": ocr * log_pages,
        f"type:{doc_type}": 1.0,
        f"kind:{kind}": 1.0,
    }
    return np.array([values.get(c, 0.0) for c in columns])


def _fit(samples: list[Sample], columns: list[str]) -> tuple[np.ndarray, float]:
    prior = np.array([PRIOR.get(c, 0.0) for c in columns])
    if not samples:
        return prior, PRIOR_SIGMA
    x = np.array([_row(columns, s.pages, s.ocr_share, s.document_type, s.kind) for s in samples])
    y = np.log(np.array([max(s.seconds, 0.001) for s in samples]))
    penalty = PRIOR_STRENGTH * np.eye(len(columns))
    weights = np.linalg.solve(x.T @ x + penalty, x.T @ y + penalty @ prior)
    residual = float(np.sum((y - x @ weights) ** 2))
    variance = (residual + PRIOR_STRENGTH * PRIOR_SIGMA**2) / (len(samples) + PRIOR_STRENGTH)
    return weights, math.sqrt(variance)


def _factors(columns: list[str], weights: np.ndarray, row: np.ndarray) -> list[Factor]:
    effects = {"page_count": 0.0, "ocr": 0.0, "document_type": 0.0, "kind": 0.0}
    for column, weight, value in zip(columns, weights, row, strict=True):
        if column == "log_pages":
            effects["page_count"] += weight * value
        elif column.startswith("ocr"):
            effects["ocr"] += weight * value
        elif column.startswith("type:"):
            effects["document_type"] += weight * value
        elif column.startswith("kind:"):
            effects["kind"] += weight * value
    total = sum(abs(e) for e in effects.values()) or 1.0
    descriptions = {
        "page_count": "More pages take longer to extract and analyse",
        "ocr": "Pages without a text layer are rendered and recognised (OCR)",
        "document_type": "Some document types take longer in this installation's history",
        "kind": "The file format (PDF, image, office …) changes the extraction path",
    }
    return sorted(
        (
            Factor(name, round(abs(e) / total, 3), round(math.exp(e), 3), descriptions[name])
            for name, e in effects.items()
        ),
        key=lambda f: -f.impact,
    )


def predict(
    history: list[Sample],
    *,
    pages: int,
    ocr_needed: bool,
    document_type: str | None,
    kind: str | None,
) -> Prediction:
    columns = _columns(history)
    weights, sigma = _fit(history, columns)
    row = _row(columns, pages, 1.0 if ocr_needed else 0.0, document_type, kind)
    mean = float(row @ weights)
    n = len(history)
    return Prediction(
        seconds=round(math.exp(mean), 3),
        lower=round(math.exp(mean - Z * sigma), 3),
        upper=round(math.exp(mean + Z * sigma), 3),
        confidence=round(n / (n + 10 * PRIOR_STRENGTH), 3),
        samples=n,
        factors=_factors(columns, weights, row),
    )
