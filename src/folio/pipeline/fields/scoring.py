"""Compare extracted values with ground truth, exactly and after normalisation.

Normalised comparison folds case and accents, drops punctuation, spaces and legal-form
suffixes (``Inc.``, ``B.V.``, ``S.A.`` …), compares numbers to the cent and dates as ISO 8601.
"""

from __future__ import annotations

import re
from typing import Any

from folio.pipeline.dates import parse_date
from folio.pipeline.fields.layout import fold
from folio.pipeline.fields.normalize import parse_number

LEGAL_FORMS = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|bv|nv|sa|sas|sarl|srl|spa|plc|corp|"
    r"corporation|co|pvt|private|sdn|bhd|oy|ab|kg|llp|spolka akcyjna|spolka|s ?a)\b"
)


def norm_text(value: Any) -> str:
    text = fold(str(value))
    text = re.sub(r"[^\w\s]", " ", text)
    text = LEGAL_FORMS.sub(" ", text)
    return re.sub(r"[\W_]+", "", text)


def norm_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return round(float(value), 2)
    parsed = parse_number(re.sub(r"[^\d.,\-()]", "", str(value)))
    return round(parsed, 2) if parsed is not None else None


def exact_match(predicted: Any, expected: Any) -> bool:
    if predicted is None or expected is None:
        return False
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(predicted, int | float) and abs(float(predicted) - expected) < 0.005
    return str(predicted) == str(expected)


def normalized_match(predicted: Any, expected: Any, kind: str = "text") -> bool:
    if predicted is None or expected is None:
        return False
    if kind == "number":
        p, e = norm_number(predicted), norm_number(expected)
        return p is not None and e is not None and abs(p - e) < 0.005
    if kind == "date":
        day, expected_day = parse_date(str(predicted)), parse_date(str(expected))
        return day is not None and day == expected_day
    if kind == "list":
        items = predicted if isinstance(predicted, list) else [predicted]
        return any(norm_text(i) == norm_text(expected) for i in items)
    return norm_text(predicted) != "" and norm_text(predicted) == norm_text(expected)
