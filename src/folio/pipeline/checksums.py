"""Identifiers with a checksum or a strict format, checked and written out by python-stdnum.

The one place that says whether a string is a valid card number (Luhn), IBAN (mod-97), US SSN
(invalidation rules), Indian Aadhaar (Verhoeff), Indian PAN (format only), EU VAT or Indian
GSTIN (per-country checksums), and what its canonical form is. Template fields
(``fields.entities``) and the entity detector (``intelligence.identifiers``) both ask here, so
they never disagree about a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import iban, luhn
from stdnum.eu import vat
from stdnum.in_ import aadhaar, gstin, pan
from stdnum.us import ssn


@dataclass(frozen=True)
class Scheme:
    """How to check one kind of identifier and write it in its canonical form."""

    is_valid: Callable[[str], bool]
    compact: Callable[[str], str]

    def canonical(self, raw: str) -> str | None:
        """``raw`` in canonical form when it is a valid identifier, else None."""
        return self.compact(raw) if self.is_valid(raw) else None


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


CARD = Scheme(lambda raw: luhn.is_valid(digits(raw)), digits)
IBAN = Scheme(iban.is_valid, iban.compact)
US_SSN = Scheme(ssn.is_valid, ssn.format)
AADHAAR = Scheme(aadhaar.is_valid, aadhaar.compact)
IN_PAN = Scheme(pan.is_valid, pan.compact)
EU_VAT = Scheme(vat.is_valid, vat.compact)
IN_GSTIN = Scheme(gstin.is_valid, gstin.compact)
