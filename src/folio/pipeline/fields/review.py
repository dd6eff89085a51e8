"""Which fields of a stored extraction a reviewer should look at, and which one corrected.

One rule for the API (``GET /documents/{id}/extractions``) and every export: a top-level field
needs review when its value is missing or its confidence is below the review threshold
(``FOLIO_EXTRACTION_REVIEW_BELOW``); a corrected field carries the ``corrected`` method and full
confidence, so it never needs review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

CORRECTED = "corrected"  # the method of a field a reviewer corrected


def needs_review(value: Any, confidence: float | None, review_below: float) -> bool:
    return value in (None, [], {}) or (confidence or 0.0) < review_below


class ReviewMarks(NamedTuple):
    needs_review: list[str]
    corrected: list[str]


def review_marks(fields: Mapping[str, Mapping[str, Any]], review_below: float) -> ReviewMarks:
    """The names of the stored ``fields`` (an extraction's ``fields`` column) to review and
    the names a reviewer corrected, each in the template's field order."""
    review = [
        name
        for name, field in fields.items()
        if needs_review(field.get("value"), field.get("confidence"), review_below)
    ]
    corrected = [name for name, field in fields.items() if field.get("method") == CORRECTED]
    return ReviewMarks(review, corrected)
