"""One checker for identifiers: template fields and the entity detector agree on every number."""

from __future__ import annotations

import pytest

from folio.pipeline.checksums import AADHAAR, IBAN
from folio.pipeline.fields.entities import find_entities
from folio.pipeline.intelligence import extract_entities

# mod-97 holds but a German IBAN has 22 characters, not 19: only a per-country check rejects it
SHORT_IBAN = "DE41370400440532013"
# the Verhoeff digit holds but UIDAI issues no palindromes
PALINDROME_AADHAAR = "2000 0990 0002"


def _field(kind: str, text: str) -> list[object]:
    return [m.value for m in find_entities(kind, text)]


def _entity(kind: str, text: str) -> list[str | None]:
    return [e.normalized for e in extract_entities(text) if e.type == kind]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("IBAN DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("IBAN NL50 INGB 0683 2513 09", "NL50INGB0683251309"),
        ("IBAN DE89 3704 0044 0532 0130 01", None),  # mod-97 fails
        (f"IBAN {SHORT_IBAN}", None),
    ],
)
def test_iban_through_both_callers(text: str, canonical: str | None) -> None:
    expected = [canonical] if canonical else []
    assert IBAN.canonical(text.removeprefix("IBAN ")) == canonical
    assert _field("iban", text) == expected
    assert _entity("iban", text) == expected


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("2345 6789 0124", True),
        ("2341 2341 2346", True),
        ("2341 2341 2345", False),  # Verhoeff digit fails
        (PALINDROME_AADHAAR, False),
    ],
)
def test_aadhaar_through_both_callers(number: str, valid: bool) -> None:
    text = f"Aadhaar {number}"
    digits = number.replace(" ", "")
    assert AADHAAR.canonical(number) == (digits if valid else None)
    assert _field("aadhaar", text) == ([number] if valid else [])
    assert _entity("in_aadhaar", text) == ([digits] if valid else [])
