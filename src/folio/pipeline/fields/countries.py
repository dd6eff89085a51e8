"""The currency of a document that prints no currency mark, from the country it names: an
IBAN or VAT number's country prefix, a tax-id kind (GSTIN, NIP …) or the country's name."""

from __future__ import annotations

import re
from collections import Counter

EURO = (
    "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PT", "SI", "SK",
)  # fmt: skip
CURRENCY_OF = {
    **dict.fromkeys(EURO, "EUR"),
    "GB": "GBP", "US": "USD", "IN": "INR", "MY": "MYR", "PL": "PLN", "CH": "CHF", "SE": "SEK",
    "DK": "DKK", "NO": "NOK", "CZ": "CZK", "HU": "HUF", "RO": "RON", "BG": "BGN", "AU": "AUD",
    "CA": "CAD", "NZ": "NZD", "SG": "SGD", "JP": "JPY", "CN": "CNY",
}  # fmt: skip
COUNTRY_NAMES = {
    "IN": r"india|bharat", "MY": r"malaysia", "US": r"united states|u\.s\.a\.?",
    "GB": r"united kingdom|england|scotland|wales", "DE": r"deutschland|germany",
    "FR": r"france", "NL": r"nederland|netherlands", "BE": r"belgi(?:um|e|que)",
    "ES": r"espa(?:ñ|n)a|spain", "IT": r"italia|italy", "PL": r"polska|poland",
    "AT": r"(?:ö|o)sterreich|austria", "CH": r"schweiz|suisse|switzerland",
    "SG": r"singapore", "AU": r"australia", "CA": r"canada", "IE": r"ireland",
}  # fmt: skip
IBAN = re.compile(r"\b([A-Z]{2})\d{2}(?:\s?[A-Z0-9]{4}){2,7}")
VAT = re.compile(r"\b(?:vat|btw|tva|ust|mwst|iva)\b[^\n]{0,20}?\b((?-i:[A-Z]{2}))\d{6,}", re.I)
TAX_IDS = {"IN": re.compile(r"\bgstin\b", re.I), "PL": re.compile(r"\bnip\b", re.I)}


def country_currency(text: str) -> str | None:
    """The currency of the country the text names most often, None when it names none."""
    votes: Counter[str] = Counter()
    for m in IBAN.finditer(text):
        votes[m.group(1)] += 2
    for m in VAT.finditer(text):
        votes[m.group(1).upper()] += 2
    for country, pattern in TAX_IDS.items():
        votes[country] += 2 * len(pattern.findall(text))
    for country, names in COUNTRY_NAMES.items():
        votes[country] += len(re.findall(rf"\b(?:{names})\b", text, re.IGNORECASE))
    ranked = [(n, c) for c, n in votes.items() if n and c in CURRENCY_OF]
    return CURRENCY_OF[max(ranked)[1]] if ranked else None
