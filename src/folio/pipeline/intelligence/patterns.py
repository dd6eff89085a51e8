"""Pattern detectors: e-mail, URL, IP, phone (phonenumbers), money, percentage, invoice number,
postal code, street address and date (read by :mod:`folio.pipeline.dates`)."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
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
_MERIDIEM = r"(?:[AaPp]\.[Mm]\.?|[AaPp][Mm])"
_TIME = re.compile(
    r"(?<![\w:.])(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
    rf"(?:[ \t]?{_MERIDIEM})?|(?:1[0-2]|0?[1-9])[ \t]?{_MERIDIEM})(?![\w:])"
    r"|\b(?:noon|midnight)\b"
)
_WEEKDAY_BEFORE = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[ \t]*,?[ \t]*$"
)
_ISO_TIME = re.compile(r"T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?")
_DECADE = re.compile(r"\b(?:the[ \t]+)?(?:1[89]|20)\d0['\u2019]?s\b")
_NUMBER_SHAPE = re.compile(
    r"(?<![\w+.,/-])\+?\(?\d[\d().\- \t]{5,20}\d(?:[ \t]?(?:x|ext\.?)[ \t]?\d{1,5})?(?![\w.,/-]\d)"
)
# words that name a phone number, not any number ("account number" does not)
_CALL_CUE = re.compile(
    r"(?i)\b(?:phone|tel|telephone|mobile|mob|cell|call|fax|whatsapp|sms|text|dial|ring|reach"
    r"|my number|number is)\b"
)
_AMOUNTS = re.compile(r"\d\.\d\d\s+-?\d+\.\d\d(?!\d)")  # two amounts in a row
_POSSIBLE = phonenumbers.Leniency.POSSIBLE
_FALLBACK_REGIONS = ("US", "GB", "IN", "DE")
_PART_BEFORE = re.compile(r"\d[ -]?\Z")
_PART_AFTER = re.compile(r"[ -]?\d")
_DIGIT_RUN = re.compile(r"\d(?:[\s().-]{0,2}\d){5}")  # six digits: no phone number is shorter
_INTL_PREFIX = re.compile(r"(?<![\w+])\+\s?(\d{1,3})(?=[\s(.-]{0,2}\d)")
# currency marks and country names, each naming the country whose numbering plan applies
_REGION_OF = {
    "rm": "MY", "myr": "MY", "malaysia": "MY", "sdn bhd": "MY", "£": "GB", "gbp": "GB",
    "united kingdom": "GB", "england": "GB", "₹": "IN", "rs.": "IN", "inr": "IN", "india": "IN",
    "us$": "US", "usd": "US", "united states": "US", "usa": "US", "a$": "AU", "aud": "AU",
    "australia": "AU", "c$": "CA", "cad": "CA", "canada": "CA", "s$": "SG", "sgd": "SG",
    "singapore": "SG", "germany": "DE", "deutschland": "DE", "france": "FR", "italy": "IT",
    "italia": "IT", "spain": "ES", "españa": "ES", "netherlands": "NL", "nederland": "NL",
    "ireland": "IE", "new zealand": "NZ", "nzd": "NZ", "south africa": "ZA", "zar": "ZA",
    "philippines": "PH", "indonesia": "ID", "thailand": "TH", "hong kong": "HK", "hkd": "HK",
    "switzerland": "CH", "chf": "CH", "sweden": "SE", "sek": "SE", "norway": "NO", "nok": "NO",
    "denmark": "DK", "dkk": "DK", "poland": "PL", "zł": "PL", "pln": "PL", "brazil": "BR",
    "brasil": "BR", "r$": "BR", "mexico": "MX", "japan": "JP", "¥": "JP",
}  # fmt: skip
_REGION_WORDS = re.compile(
    r"(?i)(?<![^\W\d_$])("
    + "|".join(re.escape(k) for k in sorted(_REGION_OF, key=len, reverse=True))
    + r")(?![^\W\d_])"
)
_PHONE_CUE = re.compile(
    r"(?i)\b(phone|tel|telephone|mobile|mob|cell|call|fax|contact|whatsapp|office|home|sms|text"
    r"|dial|ring|registered|number|reach)\b"
)
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


def _phones(text: str) -> Iterator[Candidate]:
    """Valid numbers for the region the document points at (or in international form); merely
    possible ones when they are written like phone numbers (separators or a leading ``+``).

    Without a region from the text, national numbers are still found (as numbers of the
    commonest regions) but get an E.164 form only when they are valid for that region: a
    Malaysian ``03-…`` number is never given ``+1``."""
    if not _DIGIT_RUN.search(text):
        return
    region = infer_region(text)
    seen: set[tuple[int, int]] = set()
    kept: set[tuple[int, int]] = set()
    for guess in (region,) if region else _FALLBACK_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, guess, leniency=_POSSIBLE):
            if (match.start, match.end) in seen:
                continue
            seen.add((match.start, match.end))
            cand = _phone(text, match, known=region is not None)
            # a guessed region other than the first must make the number valid, or a cue word
            # must say it is a phone number
            guessed = region is None and guess != _FALLBACK_REGIONS[0]
            if cand and not (guessed and cand.confidence < 0.65):
                kept.add((cand.start, cand.end))
                yield cand
    yield from _cued_numbers(text, kept)


def _cued_numbers(text: str, found: set[tuple[int, int]]) -> Iterator[Candidate]:
    """Digit runs a phone word names ("call me at 0521833786", "001-335-504-9258") that no
    numbering plan tried above accepts: national numbers of other countries, or dialled with
    an exit code."""
    for m in _NUMBER_SHAPE.finditer(text):
        raw = m.group().rstrip(" .-")
        end = m.start() + len(raw)
        digits = re.sub(r"\D", "", raw.split("x")[0].split("ext")[0])
        if not 7 <= len(digits) <= 15 or any(s < end and m.start() < e for s, e in found):
            continue
        if near(text, m.start(), end, _CALL_CUE, 30) and not _AMOUNTS.search(raw):
            yield Candidate("phone", m.start(), end, raw, 0.6, digits)


def _phone(text: str, match: phonenumbers.PhoneNumberMatch, known: bool) -> Candidate | None:
    if _PART_BEFORE.search(text, 0, match.start) or _PART_AFTER.match(text, match.end):
        return None  # a piece of a longer digit run (a card or account number)
    raw = match.raw_string
    if _AMOUNTS.search(raw):
        return None  # "70.00 0.00 15.00": a row of amounts
    valid = phonenumbers.is_valid_number(match.number)
    international = raw.startswith("+")
    shaped = international or raw.startswith("(") or bool(re.search(r"[\s().-]", raw))
    if not valid and not shaped:
        return None
    if valid or international or known:
        normalized = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    else:
        normalized = re.sub(r"\D", "", raw)
    cued = near(text, match.start, match.end, _PHONE_CUE)
    if not (valid or international or cued) and len(re.sub(r"\D", "", raw)) < 9:
        return None  # "541 6343": two numbers of an address as likely as a local number
    conf = (0.75 if valid else 0.5) + (0.15 if cued else 0.0)
    return Candidate("phone", match.start, match.end, raw, conf, normalized)


def infer_region(text: str) -> str | None:
    """The country a text's phone numbers most likely belong to, from its other signals:
    international prefixes, currency marks, country names; ``None`` when nothing says."""
    votes: Counter[str] = Counter()
    for m in _INTL_PREFIX.finditer(text):
        region = phonenumbers.region_code_for_country_code(int(m.group(1)))
        if region != "ZZ":
            votes[region] += 2
    for m in _REGION_WORDS.finditer(text):
        votes[_REGION_OF[m.group(1).lower()]] += 1
    return votes.most_common(1)[0][0] if votes else None


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


_CUED_AMOUNT = re.compile(
    r"(?i)\b(?:(?:grand |nett? |sub ?)?total|amount(?: due| payable| paid)?|balance(?: due)?"
    r"|total due|cash|change|paid|rounding)\b[^\S\n]*(?:\([^)\n]{0,20}\))?[^\S\n]*[:=]?"
    r"[^\S\n]*\n?[^\S\n]*[:=]?[^\S\n]*(\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})(?![\d.,%])"
)
_CURRENCY_WORD = re.compile(rf"(?<![A-Za-z])(?:RM|{_CODES})(?![A-Za-z])")


def _money(text: str) -> Iterator[Candidate]:
    for m in _MONEY.finditer(text):
        sign = m.group("pre") or m.group("post")
        amount = parse_amount(m.group("a1") or m.group("a2"))
        if amount is None:
            continue
        currency = _CURRENCY_SYMBOLS.get(sign, sign)
        yield Candidate("money", m.start(), m.end(), m.group(), 0.85, f"{amount:.2f} {currency}")


def _cued_amounts(text: str) -> Iterator[Candidate]:
    """Amounts without a currency mark after a total/amount label (receipts print ``TOTAL : 9.00``
    with the currency once, in a column head); the currency is the one the text names most."""
    currency = _document_currency(text)
    for m in _CUED_AMOUNT.finditer(text):
        amount = parse_amount(m.group(1))
        if amount is not None:
            raw = m.group(1)
            yield Candidate("money", m.start(1), m.end(1), raw, 0.6, f"{amount:.2f} {currency}")


def _document_currency(text: str) -> str:
    found = Counter(
        _CURRENCY_SYMBOLS.get(sign, sign)
        for m in _MONEY.finditer(text)
        if (sign := m.group("pre") or m.group("post"))
    )
    for m in _CURRENCY_WORD.finditer(text):
        found[_CURRENCY_SYMBOLS.get(m.group(), m.group())] += 1
    return found.most_common(1)[0][0] if found else "XXX"  # ISO 4217: no currency


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
    """Dates, times and decades; a weekday before a date ("Wednesday, June 5, 2024") and an
    ISO time after one ("2021-03-05T10:00") belong to it. A time after a date on a receipt
    stays its own entity: the date is the date."""
    found: list[Candidate] = []
    # numeric dates: dotted ones day first (European), slashed or dashed ones month first (US)
    for d in scan_dates(text, "auto", mentions=True):
        conf = 0.9 if d.value else 0.5
        found.append(Candidate("date", d.start, d.start + len(d.raw), d.raw, conf, d.value))
    for m in _CUED_YEAR.finditer(text):
        found.append(Candidate("date", m.start(1), m.end(1), m.group(1), 0.55, m.group(1)))
    for pattern, conf in ((_TIME, 0.8), (_DECADE, 0.6)):
        for m in pattern.finditer(text):
            found.append(Candidate("date", m.start(), m.end(), m.group(), conf, m.group()))
    yield from (_with_parts(text, c) for c in found)


def _with_parts(text: str, cand: Candidate) -> Candidate:
    start, end = cand.start, cand.end
    weekday = _WEEKDAY_BEFORE.search(text, max(0, start - 16), start)
    if weekday and cand.normalized and cand.normalized[:1].isdigit():
        start = weekday.start()
    iso_time = _ISO_TIME.match(text, end)
    if iso_time and cand.normalized:
        end = iso_time.end()
    if (start, end) == (cand.start, cand.end):
        return cand
    return Candidate("date", start, end, text[start:end], cand.confidence, cand.normalized)


PATTERN_DETECTORS: dict[str, Callable[[str], Iterator[Candidate]]] = {
    "email": _emails,
    "url": _urls,
    "ip_address": _ips,
    "phone": _phones,
    "money": _money,
    "cued_money": _cued_amounts,
    "percentage": _percentages,
    "invoice_number": _invoice_numbers,
    "postal_code": _postal_codes,
    "address": find_addresses,
    "date": _dates,
}


def find_patterns(text: str, types: set[str] | None = None) -> list[Candidate]:
    found: list[Candidate] = []
    for kind, detect in PATTERN_DETECTORS.items():
        if types is None or kind.removeprefix("cued_") in types:
            found.extend(detect(text))
    return found
