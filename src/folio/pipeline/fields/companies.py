"""Company names: legal forms (``Ltd``, ``GmbH``, ``Sdn Bhd`` …), the customer's blocks to
skip, and the issuer of an invoice as the most frequent legal name or the top line."""

from __future__ import annotations

import re
from collections import Counter

from folio.pipeline.fields.layout import Line, LWord, fold
from folio.pipeline.fields.locators import Context, Found, heuristic_found, letters, weaker
from folio.pipeline.fields.types import FieldSpec, Locator

FORMS = (
    r"inc\.?|incorporated|l\.?l\.?c\.?|ltd\.?|limited|gmbh|ag|b\.\s?v\.?|n\.\s?v\.?|s\.\s?a\.?"
    r"|s\.\s?a\.\s?s\.?|sas|sarl|s\.?r\.?l\.?|s\.?p\.?a\.?|plc|corp\.?|corporation|co\.,? ltd\.?"
    r"|pvt\.? ltd\.?|private limited|sdn\.? bhd\.?|bhd\.?|oy|ab|as|aps|kg|ohg|e\.k\.|sp\. z o\.o\."
    r"|sp\u00f3\u0142ka akcyjna|llp"
)
FORM_HINT = re.compile(rf"\b(?:{FORMS})(?!\w)", re.IGNORECASE)
LEGAL_FORM = re.compile(
    rf"(?P<name>[\w&'\u2019.,\- ]{{2,80}}?)[\s,]*\b(?P<form>{FORMS})(?!\w)", re.IGNORECASE
)
TITLE_WORDS = re.compile(
    r"^(tax\s+)?(invoice|facture|factuur|rechnung|faktura|receipt|bill|quotation|statement|"
    r"payment receipt|kopie|copy|original|page|tax invoice|cash bill)\b",
    re.IGNORECASE,
)


def issuer(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The issuing company: the most frequent name with a legal form, else the top line."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[Line, str]] = {}
    skip = customer_blocks(lines)
    for line in lines:
        for segment in line.segments:
            if (line.index, id(segment)) in skip:
                continue
            text = " ".join(w.text for w in segment)
            if not FORM_HINT.search(text):
                continue
            for m in LEGAL_FORM.finditer(text):
                name = clean_name(m.group("name"))
                if letters(name) < 2:
                    continue
                full = f"{name} {m.group('form')}".strip()
                key = fold(name)
                counts[key] += 1
                first_seen.setdefault(key, (line, full))
    if counts:
        key = max(counts, key=lambda k: (counts[k], -first_seen[k][0].index))
        line, full = first_seen[key]
        return [heuristic_found(full, _words_of(line, full), loc, line.index)]
    return [weaker(found, 0.7) for found in top_line(ctx, spec, loc, lines)]  # a guess


CUSTOMER_LABEL = re.compile(
    r"\b(bill(?:ed)? to|ship(?:ped)? to|sold to|invoice to|deliver to|buyer|"
    r"(?:customer|client)(?!\s*(?:care|service|support|centre|center|helpline))|"
    r"recipient|attn|t\.a\.v|factuuradres|afleveradres|rechnungsadresse|lieferadresse|"
    r"adresse de facturation|nabywca|odbiorca|billing address|shipping address|guest name)\b",
    re.IGNORECASE,
)


def customer_blocks(lines: list[Line]) -> set[tuple[int, int]]:
    """Segments in the few lines below a customer label (bill to, factuuradres …)."""
    skip: set[tuple[int, int]] = set()
    for i, line in enumerate(lines):
        for segment in line.segments:
            if not CUSTOMER_LABEL.search(" ".join(w.text for w in segment)):
                continue
            x0, x1 = segment[0].bbox[0], segment[-1].bbox[2]
            skip.add((line.index, id(segment)))
            for below in lines[i + 1 : i + 5]:
                for seg in below.segments:
                    if min(seg[-1].bbox[2], x1 + 50) - max(seg[0].bbox[0], x0 - 50) > 0:
                        skip.add((below.index, id(seg)))
    return skip


def clean_name(name: str) -> str:
    name = re.split(r"[:|]|\b(?:by|from|to|van|de|von|of|at)\s*:", name, flags=re.IGNORECASE)[-1]
    name = re.sub(
        r"^(sold|issued|seller|vendor|supplier|regd\.? office)\b[\s:]*",
        "",
        name,
        flags=re.IGNORECASE,
    )
    return name.strip(" ,.-\u2013")


def _words_of(line: Line, text: str) -> list[LWord]:
    tokens = set(text.split())
    return [w for w in line.words if w.text in tokens] or line.words


def top_line(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    skip = customer_blocks(lines[:20])
    for line in lines[:12]:
        for segment in line.segments:
            if (line.index, id(segment)) in skip:
                continue
            text = " ".join(w.text for w in segment).strip(" :#*-")
            if (
                letters(text) >= 3
                and not TITLE_WORDS.search(text)
                and letters(text) > len(text) / 2
            ):
                return [heuristic_found(text, segment, loc, line.index)]
    return []
