"""Pattern detectors: e-mail, URL, IP, phone (phonenumbers), money, percentage, invoice number,
postal code, street address and date (read by :mod:`folio.pipeline.dates`)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

import phonenumbers

from folio.pipeline.dates import scan_dates
from folio.pipeline.intelligence.addresses import find_addresses
from folio.pipeline.intelligence.candidates import Candidate, near

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
_DOMAIN = re.compile(
    r"(?<![@\w.-])(?:[A-Za-z0-9-]+\.)+(?:com|org|net|edu|gov|io|info|biz|co|de|uk|fr|in|eu|us)"
    r"(?:\.[a-z]{2})?(?:/[^\s<>\"']*)?(?![\w@-])"
)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PERCENT = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b)")
_INVOICE_NO = re.compile(
    r"(?i)\b(?:invoice|inv|bill|receipt|order)\s*(?:no\.?|number|num\.?|nr\.?|#|id)?\s*[:#.]?\s*"
    r"(?-i:([A-Z]{0,6}[-/]?\d[A-Z0-9\-/]{2,24}))"
)
_CUED_ZIP = re.compile(
    r"(?i:\b(?:zip(?:\s*code)?|postal\s*code|postcode|pin\s*code|pin))\s*[:#]?\s*"
    r"([A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]|\d{3,})"
)
_US_ZIP = re.compile(r"\b(?:[A-Z]{2}),?\s+(\d{5}(?:-\d{4})?)\b")
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")
_YEAR = r"(?:19|20)\d{2}"
_CUED_YEAR = re.compile(
    rf"(?i)\b(?:in|since|of|from|until|by|year|during|circa|before|after)\s+({_YEAR})\b"
)
_PHONE_CUE = re.compile(r"(?i)\b(phone|tel|telephone|mobile|cell|call|fax|contact|whatsapp)\b")
_CURRENCY_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "¥": "JPY",
    "RM": "MYR",
    "CHF": "CHF",
    "A$": "AUD",
    "C$": "CAD",
    "R$": "BRL",
    "zł": "PLN",
}
_CODES = "USD|EUR|GBP|INR|JPY|CNY|CHF|CAD|AUD|MYR|SGD|PLN|SEK|NOK|DKK|BRL|ZAR|HKD|NZD|MXN|CZK|HUF"
_SYMBOLS = "|".join(re.escape(s) for s in sorted(_CURRENCY_SYMBOLS, key=len, reverse=True))
_AMOUNT = r"\d{1,3}(?:[,.' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(
    rf"(?:(?P<pre>{_SYMBOLS}|\b(?:{_CODES})\b)\s?(?P<a1>-?(?:{_AMOUNT}))"
    rf"|(?P<a2>-?(?:{_AMOUNT}))\s?(?P<post>€|£|₹|zł|\b(?:{_CODES})\b))"
)


def _emails(text: str) -> Iterator[Candidate]:
    for m in _EMAIL.finditer(text):
        yield Candidate("email", m.start(), m.end(), m.group(), 0.97, m.group().lower())


def _urls(text: str) -> Iterator[Candidate]:
    for m in _URL.finditer(text):
        raw = m.group().rstrip(".,;:!?")
        yield Candidate("url", m.start(), m.start() + len(raw), raw, 0.9, raw)
    for m in _DOMAIN.finditer(text):
        raw = m.group().rstrip(".,;:!?")
        yield Candidate("url", m.start(), m.start() + len(raw), raw, 0.6, raw.lower())


def _ips(text: str) -> Iterator[Candidate]:
    for m in (*_IPV4.finditer(text), *_IPV6.finditer(text)):
        try:
            addr = ipaddress.ip_address(m.group())
        except ValueError:
            continue
        yield Candidate("ip_address", m.start(), m.end(), m.group(), 0.9, str(addr))


def _phones(text: str, region: str = "US") -> Iterator[Candidate]:
    """Valid numbers for the region (or in international form); merely possible ones when they
    are written like phone numbers (separators or a leading ``+``)."""
    leniency = phonenumbers.Leniency.POSSIBLE
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
        raw = match.raw_string
        valid = phonenumbers.is_valid_number(match.number)
        shaped = raw.startswith(("+", "(")) or len(re.findall(r"[\s().-]", raw)) >= 1
        if not valid and not shaped:
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        cued = near(text, match.start, match.end, _PHONE_CUE)
        conf = (0.75 if valid else 0.5) + (0.15 if cued else 0.0)
        yield Candidate("phone", match.start, match.end, raw, conf, e164)


def parse_amount(raw: str) -> float | None:
    """``1,234.56`` / ``1.234,56`` / ``1 234`` → float."""
    s = raw.replace(" ", "").replace("'", "")
    cents = re.search(r"[.,](\d{1,2})$", s)
    if cents:
        s = re.sub(r"[.,]", "", s[: cents.start()]) + "." + cents.group(1)
    else:
        s = re.sub(r"[.,]", "", s)
    try:
        return float(s)
    except ValueError:
        return None


def _money(text: str) -> Iterator[Candidate]:
    for m in _MONEY.finditer(text):
        sign = m.group("pre") or m.group("post")
        amount = parse_amount(m.group("a1") or m.group("a2"))
        if amount is None:
            continue
        currency = _CURRENCY_SYMBOLS.get(sign, sign)
        yield Candidate("money", m.start(), m.end(), m.group(), 0.85, f"{amount:.2f} {currency}")


def _percentages(text: str) -> Iterator[Candidate]:
    for m in _PERCENT.finditer(text):
        number = re.match(r"[-+]?\d+(?:[.,]\d+)?", m.group())
        value = number.group().replace(",", ".") if number else m.group()
        yield Candidate("percentage", m.start(), m.end(), m.group(), 0.9, f"{value}%")


def _invoice_numbers(text: str) -> Iterator[Candidate]:
    for m in _INVOICE_NO.finditer(text):
        value = m.group(1).rstrip("-/")
        yield Candidate("invoice_number", m.start(1), m.start(1) + len(value), value, 0.8, value)


def _postal_codes(text: str) -> Iterator[Candidate]:
    for m in _US_ZIP.finditer(text):
        yield Candidate("postal_code", m.start(1), m.end(1), m.group(1), 0.6, m.group(1))
    for m in _UK_POSTCODE.finditer(text):
        yield Candidate("postal_code", m.start(), m.end(), m.group(), 0.5, m.group())
    for m in _CUED_ZIP.finditer(text):
        raw = m.group(1).strip()
        yield Candidate("postal_code", m.start(1), m.start(1) + len(raw), raw, 0.85, raw)


def _dates(text: str) -> Iterator[Candidate]:
    # numeric dates: dotted ones day first (European), slashed or dashed ones month first (US)
    for d in scan_dates(text, "auto", mentions=True):
        conf = 0.9 if d.value else 0.5
        yield Candidate("date", d.start, d.start + len(d.raw), d.raw, conf, d.value)
    for m in _CUED_YEAR.finditer(text):
        yield Candidate("date", m.start(1), m.end(1), m.group(1), 0.55, m.group(1))


PATTERN_DETECTORS: dict[str, Callable[[str], Iterator[Candidate]]] = {
    "email": _emails,
    "url": _urls,
    "ip_address": _ips,
    "phone": _phones,
    "money": _money,
    "percentage": _percentages,
    "invoice_number": _invoice_numbers,
    "postal_code": _postal_codes,
    "address": find_addresses,
    "date": _dates,
}


def find_patterns(text: str, types: set[str] | None = None) -> list[Candidate]:
    found: list[Candidate] = []
    for kind, detect in PATTERN_DETECTORS.items():
        if types is None or kind in types:
            found.extend(detect(text))
    return found
