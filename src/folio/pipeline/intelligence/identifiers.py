"""Identifiers in free text: cards, IBANs, US SSNs, Aadhaar, PAN, EU VAT and GSTIN numbers.

Each is found by pattern and checked by :mod:`folio.pipeline.checksums`. A valid checksum raises
the confidence; a failed one keeps the span only where a cue word says what it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from folio.pipeline.checksums import (
    AADHAAR,
    CARD,
    EU_VAT,
    IBAN,
    IN_GSTIN,
    IN_PAN,
    US_SSN,
    Scheme,
    digits,
)
from folio.pipeline.intelligence.candidates import Candidate, near

_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){11,18}\d(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_SSN = re.compile(r"(?<![\d-])\d{3}([- ]?)\d{2}\1\d{4}(?![\d-])")
_AADHAAR = re.compile(r"(?<![\d-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\d-])")
_PAN = re.compile(r"\b[A-Z]{3}[ABCFGHLJPTK][A-Z]\d{4}[A-Z]\b")
_VAT = re.compile(
    r"\b(?:ATU|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)"
    r"[ ]?[0-9A-Z][0-9A-Z .]{6,13}[0-9A-Z]\b"
)
_GSTIN = re.compile(r"\b\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]\b")

_CARD_CUE = re.compile(r"(?i)\b(card|visa|mastercard|amex|credit|debit|cc)\b")
_SSN_CUE = re.compile(r"(?i)\b(ssn|social security|soc\.? sec)")
_AADHAAR_CUE = re.compile(r"(?i)\b(aadhaa?r|uid|uidai)\b")
_VAT_CUE = re.compile(r"(?i)\b(vat|tva|ust|btw|iva|moms|tax id|gst)\b")


def _cards(text: str) -> Iterator[Candidate]:
    for m in _CARD.finditer(text):
        number = digits(m.group())
        if not 12 <= len(number) <= 19 or len(set(number)) == 1:
            continue
        valid = CARD.is_valid(number)
        cued = near(text, m.start(), m.end(), _CARD_CUE)
        if len(number) == 12 and not (valid and cued):
            continue  # 12-digit cards (Maestro) only with their checksum and a card word
        if valid or cued:
            conf = 0.95 if valid and cued else 0.85 if valid else 0.4
            yield Candidate("credit_card", m.start(), m.end(), m.group(), conf, number, valid)


def _ibans(text: str) -> Iterator[Candidate]:
    for m in _IBAN.finditer(text):
        raw = m.group()
        while len(raw.replace(" ", "")) >= 15:  # trailing words may have been swallowed
            if IBAN.is_valid(raw):
                end = m.start() + len(raw)
                yield Candidate("iban", m.start(), end, raw, 0.97, IBAN.compact(raw), True)
                break
            raw = raw[:-1].rstrip()


def _ssns(text: str) -> Iterator[Candidate]:
    for m in _SSN.finditer(text):
        cued = near(text, m.start(), m.end(), _SSN_CUE)
        if not m.group(1) and not cued:
            continue  # nine bare digits are an SSN only when the text says so
        valid = US_SSN.is_valid(m.group())
        if valid:
            yield Candidate(
                "us_ssn",
                m.start(),
                m.end(),
                m.group(),
                0.9 if cued else 0.7,
                US_SSN.compact(m.group()),
                True,
            )
        elif cued:
            yield Candidate("us_ssn", m.start(), m.end(), m.group(), 0.4, digits(m.group()), False)


def _aadhaars(text: str) -> Iterator[Candidate]:
    for m in _AADHAAR.finditer(text):
        valid = AADHAAR.is_valid(m.group())
        cued = near(text, m.start(), m.end(), _AADHAAR_CUE)
        if valid and (cued or m.group(1)):
            yield Candidate(
                "in_aadhaar",
                m.start(),
                m.end(),
                m.group(),
                0.9 if cued else 0.6,
                AADHAAR.compact(m.group()),
                True,
            )


def _by_scheme(
    pattern: re.Pattern[str], kind: str, scheme: Scheme
) -> Callable[[str], Iterator[Candidate]]:
    def detect(text: str) -> Iterator[Candidate]:
        for m in pattern.finditer(text):
            raw = m.group().rstrip(" .")
            normalized = scheme.canonical(raw)
            if normalized is not None:
                end = m.start() + len(raw)
                conf = 0.95 if near(text, m.start(), end, _VAT_CUE) else 0.8
                yield Candidate(kind, m.start(), end, raw, conf, normalized, True)

    return detect


DETECTORS: tuple[Callable[[str], Iterator[Candidate]], ...] = (
    _cards,
    _ibans,
    _ssns,
    _aadhaars,
    _by_scheme(_PAN, "in_pan", IN_PAN),
    _by_scheme(_VAT, "vat_number", EU_VAT),
    _by_scheme(_GSTIN, "vat_number", IN_GSTIN),
)


def find_identifiers(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for detect in DETECTORS:
        found.extend(detect(text))
    return found
