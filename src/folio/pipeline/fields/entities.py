"""Entity-like values found by pattern (and checksum where one exists)."""

from __future__ import annotations

import re
from collections.abc import Callable

from folio.pipeline.checksums import AADHAAR, IBAN, digits
from folio.pipeline.dates import find_dates
from folio.pipeline.fields.normalize import (
    Match,
    compact,
    find_money,
    find_numbers,
    normalize_phone,
)

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?)?(?:\(?\d{2,5}\)?[\s.-]?){1,4}\d{3,5}(?!\w)")
PINCODE_RE = re.compile(r"(?<![\w-])[1-9]\d{2}\s?\d{3}(?![\d-])")
PAN_RE = re.compile(r"\b[A-Z]{3}[ABCFGHLJPTK][A-Z]\d{4}[A-Z]\b")
AADHAAR_RE = re.compile(r"(?<![\d-])[2-9]\d{3}[\s-]?\d{4}[\s-]?\d{4}(?![\d-])")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{2,5}){3,8}\b")
VAT_RE = re.compile(
    r"\b(?:ATU\d{8}|BE ?0?\d{9}|DE ?\d{3} ?\d{3} ?\d{3}|FR ?[0-9A-Z]{2} ?\d{9}|NL ?\d{9} ?B ?\d{2}"
    r"|GB ?\d{3} ?\d{4} ?\d{2}(?:\d{3})?|IT ?\d{11}|ES ?[0-9A-Z]\d{7}[0-9A-Z]|PL ?\d{10}"
    r"|SE ?\d{12}|DK ?\d{8}|FI ?\d{8}|IE ?\d[0-9A-Z+*]\d{5}[A-Z]{1,2}|PT ?\d{9}|LU ?\d{8}"
    r"|CZ ?\d{8,10}|CHE-?\d{3}\.?\d{3}\.?\d{3}(?: ?(?:MWST|TVA|IVA))?)\b"
)
GSTIN_RE = re.compile(r"\b\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]\b")
URL_RE = re.compile(r"\b(?:https?://|www\.)[\w.-]+(?:/[\w./%-]*)?", re.IGNORECASE)
PERCENT_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")


def _regex(
    pattern: re.Pattern[str], norm: Callable[[str], object] | None = None
) -> Callable[[str], list[Match]]:
    def find(text: str) -> list[Match]:
        out = []
        for m in pattern.finditer(text):
            value = norm(m.group(0)) if norm else m.group(0)
            if value is not None:
                out.append(Match(value, m.group(0), m.start(), m.end()))
        return out

    return find


def _phone(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 8 or (len(set(digits)) == 1):
        return None
    return normalize_phone(raw)


def _aadhaar(raw: str) -> str | None:
    number = AADHAAR.canonical(digits(raw))
    return f"{number[:4]} {number[4:8]} {number[8:]}" if number else None


def _pincode(raw: str) -> str:
    return raw.replace(" ", "")


def _iban(raw: str) -> str | None:
    return IBAN.canonical(raw) or _mended_iban(raw)


# characters OCR reads for one another in a code of letters and digits
OCR_TWINS = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8"}
MAX_TWIN_SPOTS = 16


def _mended_iban(raw: str) -> str | None:
    """An IBAN whose checksum fails, mended by one OCR slip (``RAB0`` for ``RABO``): the one
    swap of look-alike characters after the check digits that makes it valid, when only one
    does."""
    code = re.sub(r"\s", "", raw).upper()
    spots = [i for i, ch in enumerate(code) if i >= 4 and ch in OCR_TWINS]
    if len(spots) > MAX_TWIN_SPOTS:
        return None
    valid = {
        found
        for i in spots
        if (found := IBAN.canonical(code[:i] + OCR_TWINS[code[i]] + code[i + 1 :])) is not None
    }
    return valid.pop() if len(valid) == 1 else None


def _percent(text: str) -> list[Match]:
    return [
        Match(float(m.group(1).replace(",", ".")), m.group(0), m.start(), m.end())
        for m in PERCENT_RE.finditer(text)
    ]


def _dates(text: str) -> list[Match]:
    return [Match(d.value, d.raw, d.start, d.end) for d in find_dates(text)]


ENTITY_FINDERS: dict[str, Callable[[str], list[Match]]] = {
    "email": _regex(EMAIL_RE, str.lower),
    "phone": _regex(PHONE_RE, _phone),
    "pincode": _regex(PINCODE_RE, _pincode),
    "pan": _regex(PAN_RE),
    "aadhaar": _regex(AADHAAR_RE, _aadhaar),
    "iban": _regex(IBAN_RE, _iban),
    "vat": _regex(VAT_RE, lambda s: compact(s)),
    "gstin": _regex(GSTIN_RE),
    "url": _regex(URL_RE),
    "percent": _percent,
    "date": _dates,
    "money": find_money,
    "number": find_numbers,
}


def find_entities(kind: str, text: str) -> list[Match]:
    finder = ENTITY_FINDERS.get(kind)
    if finder is None:
        raise ValueError(f"unknown entity kind: {kind!r}")
    return finder(text)
