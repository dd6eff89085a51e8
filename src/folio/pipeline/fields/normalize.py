"""Normalisers: numbers and money (EU, US and Indian separators), currencies, phones.

Each ``find_*`` returns typed matches with their character span in the searched text, so a
caller can map a value back to its words and box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folio.pipeline.dates import DATE_RE

CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "$": "USD",
    "US$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "RS": "INR",
    "RS.": "INR",
    "INR": "INR",
    "ZŁ": "PLN",
    "ZL": "PLN",
    "RM": "MYR",
    "CHF": "CHF",
    "KR": "SEK",
    "R$": "BRL",
    "A$": "AUD",
    "C$": "CAD",
    "S$": "SGD",
}
ISO_CODES = {
    "EUR",
    "USD",
    "GBP",
    "INR",
    "PLN",
    "MYR",
    "CHF",
    "JPY",
    "CNY",
    "SEK",
    "NOK",
    "DKK",
    "CZK",
    "HUF",
    "RON",
    "BGN",
    "AUD",
    "CAD",
    "NZD",
    "SGD",
    "HKD",
    "BRL",
    "MXN",
    "ZAR",
    "AED",
    "SAR",
    "TRY",
    "RUB",
    "UAH",
    "IDR",
    "THB",
    "PHP",
    "VND",
    "KRW",
    "TWD",
    "ILS",
    "EGP",
    "NGN",
    "KES",
}

_CUR = r"(?:US\$|A\$|C\$|S\$|R\$|[€$£¥₹]|\b(?:RS\.?|INR|EUR|USD|GBP|PLN|MYR|CHF|ZŁ|RM)(?![A-Za-z]))"
_POST = r"(?:€|£|zł|\b(?:EUR|USD|GBP|PLN|INR|CHF|MYR)\b)"
_NUM = (
    # a currency code glued to the amount (``RM367.10``) is a mark, not part of a word
    r"(?:(?<![\w.,/-])|(?<=RM)|(?<=RS)|(?<=INR)|(?<=EUR)|(?<=USD)|(?<=GBP))"
    r"-?(?:\d{1,3}(?:[ \u202f\u00a0]\d{3})+,\d{2}"
    r"|\d{1,3}(?:[.,'\u202f\u00a0]\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?)(?![\d%])(?![.,]\d)"
)
MONEY_RE = re.compile(
    rf"(?P<pre>{_CUR}\s?)?(?P<num>\(?{_NUM}\)?)(?P<post>\s?{_POST})?",
    re.IGNORECASE,
)
NUMBER_RE = re.compile(r"(?<![\w.,])-?\d[\d.,'\u202f\u00a0 ]*\d(?![\d%])|(?<![\w.,])\d(?![\w%])")


@dataclass(frozen=True)
class Match:
    value: object
    raw: str
    start: int
    end: int


def parse_number(raw: str) -> float | None:
    """``1.234,56`` / ``1,234.56`` / ``12,34,567.00`` / ``1 234`` / ``(12.5)`` → float."""
    text = raw.strip().replace("\u202f", "").replace("\u00a0", "").replace("'", "")
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()-+ ").replace(" ", "")
    if not text or not re.fullmatch(r"[\d.,]+", text):
        return None
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_comma >= 0 or last_dot >= 0:
        sep = "," if last_comma >= 0 else "."
        tail = text.rsplit(sep, 1)[1]
        decimal = sep if text.count(sep) == 1 and len(tail) != 3 else ""
    else:
        decimal = ""
    thousands = {".", ","} - {decimal}
    for sep in thousands:
        text = text.replace(sep, "")
    if decimal == ",":
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return -value if negative else value


IDENTIFIER_RE = re.compile(
    r"\d+(?:[.,]\d+)?\s?%|\d{7,}"
    r"|(?<![A-Za-z])(?!(?i:rm|rs|inr|eur|usd|gbp|pln|chf)\d)[A-Za-z]+\d+[\w/-]*|\d+[A-Za-z]\w*"
)


def _masked(text: str) -> str:
    """Blank out dates, percentages and long digit runs so they never read as money."""
    out = list(text)
    for m in DATE_RE.finditer(text):
        out[m.start() : m.end()] = " " * (m.end() - m.start())
    for m in IDENTIFIER_RE.finditer(text):
        out[m.start() : m.end()] = " " * (m.end() - m.start())
    return "".join(out)


def currency_code(symbol: str | None) -> str | None:
    if not symbol:
        return None
    key = symbol.strip().upper()
    if key in ISO_CODES:
        return key
    return CURRENCY_SYMBOLS.get(key)


def _ocr_joined(text: str) -> str:
    """``65. 20`` / ``65 .20`` → ``65.20 `` (OCR spaces beside a decimal mark) and
    ``RM_34.80`` → ``RM 34.80`` (a space read as an underscore), keeping every offset."""
    text = re.sub(r"_(?=\d)", " ", text)
    text = re.sub(r"(?<=\d) ([.,]\d{2})(?![\d.,])", lambda m: f"{m[1]} ", text)
    return re.sub(r"(\d)([.,]) (\d{2})(?!\d)", lambda m: f"{m[1]}{m[2]}{m[3]} ", text)


def find_money(text: str) -> list[Match]:
    """Amounts with optional currency; value is ``(amount, currency or None)``."""
    found: list[Match] = []
    text = _ocr_joined(text)
    for m in MONEY_RE.finditer(_masked(text)):
        amount = parse_number(m.group("num"))
        if amount is None:
            continue
        cur = currency_code(m.group("pre")) or currency_code((m.group("post") or "").strip())
        start, end = m.span()
        raw = text[start:end].strip()
        found.append(Match((amount, cur), raw, start, end))
    return found


def find_numbers(text: str) -> list[Match]:
    found = []
    for m in NUMBER_RE.finditer(text):
        value = parse_number(m.group(0))
        if value is not None:
            found.append(Match(value, m.group(0), m.start(), m.end()))
    return found


def detect_currency(text: str) -> str | None:
    """The most frequent currency named by a code or symbol in ``text``."""
    counts: dict[str, int] = {}
    marks = [m.group(0) for m in re.finditer(_CUR, text, re.IGNORECASE)]
    marks += [m.group(0) for m in re.finditer(r"\b[A-Z]{3}\b", text)]
    for mark in marks:
        code = currency_code(mark)
        if code:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


def normalize_phone(raw: str, default_country: str | None = None) -> str | None:
    """Digits with a leading ``+`` kept; an Indian mobile gets ``+91`` when asked for."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7 or len(digits) > 15:
        return None
    if raw.strip().startswith("+"):
        return "+" + digits
    if default_country == "IN" and len(digits) == 10 and digits[0] in "6789":
        return "+91" + digits
    return digits


def compact(text: str) -> str:
    return re.sub(r"[\s\-./]", "", text).upper()
