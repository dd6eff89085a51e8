"""``extract_entities``: all detectors on each page, overlaps resolved, spans placed on the page."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from folio.pipeline.intelligence.addresses import extend_address, street_and_town
from folio.pipeline.intelligence.candidates import Candidate, context_of, resolve_overlaps
from folio.pipeline.intelligence.context import enhance, find_licences
from folio.pipeline.intelligence.identifiers import find_identifiers
from folio.pipeline.intelligence.ner import NER_TYPES, find_names
from folio.pipeline.intelligence.nrp import find_groups
from folio.pipeline.intelligence.organisations import (
    block_names,
    block_organisations,
    find_organisations,
)
from folio.pipeline.intelligence.patterns import find_patterns
from folio.pipeline.intelligence.places import countries, cued_places
from folio.pipeline.intelligence.types import BBox, Entity
from folio.pipeline.types import DocumentResult, Page

ID_TYPES = frozenset({"credit_card", "iban", "us_ssn", "in_aadhaar", "in_pan", "vat_number"})
ENTITY_TYPES = frozenset(
    {
        *ID_TYPES,
        *NER_TYPES,
        "date",
        "email",
        "url",
        "ip_address",
        "phone",
        "money",
        "percentage",
        "invoice_number",
        "postal_code",
        "address",
        "drivers_license",
    }
)


# signs that legacy Greek fonts print for letters (a capital Delta as U+2206 INCREMENT): read
# as the letters; one character for one, so offsets hold
_LOOKALIKES = str.maketrans({"\u2206": "\u0394", "\u2126": "\u03a9", "\u00b5": "\u03bc"})


def find_candidates(text: str, types: set[str] | None = None) -> list[Candidate]:
    """Every detector on one text, overlaps resolved (strongest span wins)."""
    read = text.translate(_LOOKALIKES)
    found = _detect(read, types)
    if read == text:
        return found
    return [replace(c, text=text[c.start : c.end]) for c in found]


def _detect(text: str, types: set[str] | None) -> list[Candidate]:
    found: list[Candidate] = []
    if types is None or types & ID_TYPES:
        found.extend(find_identifiers(text))
    found.extend(find_patterns(text, types))
    if types is None or "drivers_license" in types:
        found.extend(find_licences(text))
    if types is None or "nrp" in types:
        found.extend(find_groups(text))
    if types is None or types & NER_TYPES:
        found.extend(find_names(text, types))
    if types is None or "location" in types:
        found.extend(cued_places(text))
        found.extend(countries(text))
    if types is None or "organization" in types:
        found.extend(find_organisations(text))
    if types is None or "person" in types:
        found.extend(block_names(text))
    if types is None or "organization" in types:
        people = [(c.start, c.end) for c in found if c.type == "person"]
        found.extend(block_organisations(text, people))
    kept = resolve_overlaps(enhance(inside_addresses(merge_addresses(found, text)), text))
    if types is None or "location" in types:  # else the town stays in its address
        kept = towns_apart(kept)
    return [c for c in kept if types is None or c.type in types]


def towns_apart(found: list[Candidate]) -> list[Candidate]:
    """A street address followed by its town alone ("12 Main Street, Springfield") as the
    street's address and the town's location."""
    out: list[Candidate] = []
    for cand in found:
        parts = street_and_town(cand.text) if cand.type == "address" else None
        if parts is None:
            out.append(cand)
            continue
        street_end, town_start, town_end = parts
        street, town = cand.text[:street_end], cand.text[town_start:town_end]
        out.append(replace(cand, end=cand.start + street_end, text=street,
                           normalized=" ".join(street.split())))  # fmt: skip
        out.append(Candidate("location", cand.start + town_start, cand.start + town_end, town,
                             cand.confidence, town, None, cand.source))  # fmt: skip
    return out


# the model's address is followed over its next lines only up to a postcode on them
_POSTCODE = re.compile(r"\b\d{4,6}\b|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")


def _model_address_end(text: str, end: int) -> int:
    """The model's address over the rest of its line, and over the next lines when they
    reach a postcode (a line of table heads after an address is not part of it)."""
    extended = extend_address(text, end)
    newline = text.find("\n", end, extended)
    if newline < 0 or _POSTCODE.search(text, newline, extended):
        return extended
    return end + len(text[end:newline].rstrip(" \t,"))


def merge_addresses(found: list[Candidate], text: str) -> list[Candidate]:
    """Overlapping addresses from the model and the patterns become their union: the model
    knows where an address starts, the patterns follow its lines to the town and postcode.
    A postal block read from a document's layout is kept as it is: it knows both ends."""
    blocks = [c for c in found if c.type == "address" and c.source == "block"]
    addresses = sorted(
        (
            c
            for c in found
            if c.type == "address"
            and c.source != "block"
            and not any(b.start < c.end and c.start < b.end for b in blocks)
        ),
        key=lambda c: c.start,
    )
    phones = [c.start for c in found if c.type == "phone"]
    merged: list[Candidate] = []
    for cand in addresses:
        if cand.source == "ner" and (end := _model_address_end(text, cand.end)) > cand.end:
            raw = text[cand.start : end]
            cand = replace(cand, end=end, text=raw, normalized=" ".join(raw.split()))
        if cand.source == "ner":
            cand = _before_phone_lines(cand, text, phones)
        last = merged[-1] if merged else None
        if last is not None and cand.start < last.end:
            start, end = last.start, max(last.end, cand.end)
            conf = max(last.confidence, cand.confidence)
            raw = text[start:end]
            merged[-1] = replace(last, end=end, text=raw, confidence=conf,
                                 normalized=" ".join(raw.split()))  # fmt: skip
        else:
            merged.append(cand)
    return [c for c in found if c.type != "address"] + merged + blocks


def _before_phone_lines(cand: Candidate, text: str, phones: list[int]) -> Candidate:
    """The model's address up to a later line that holds a phone number: a postal block's
    phone lines follow its address, they are not part of it."""
    for phone in sorted(phones):
        if cand.start < phone < cand.end:
            newline = text.rfind("\n", cand.start, phone)
            if newline > cand.start and text[newline:phone].strip() == "":
                raw = text[cand.start : newline].rstrip(" \t,")
                return replace(cand, end=cand.start + len(raw), text=raw,
                               normalized=" ".join(raw.split()))  # fmt: skip
    return cand


# what a pattern's address holds is its town, street name, house number ("3/7") or postcode
_PARTS_OF_ADDRESSES = frozenset({"location", "person", "date", "postal_code", "phone", "nrp"})


def inside_addresses(found: list[Candidate]) -> list[Candidate]:
    """Without the places, names and numbers found inside an address a pattern read: they
    are its town, its street's name or its house number; the whole address is the entity."""
    spans = [(c.start, c.end) for c in found if c.type == "address" and c.source != "ner"]
    return [
        c
        for c in found
        if c.type not in _PARTS_OF_ADDRESSES
        or not any(s <= c.start and c.end <= e and (s, e) != (c.start, c.end) for s, e in spans)
    ]


class WordIndex:
    """The words of a page sorted by offset, to find those under a span in log time."""

    def __init__(self, page: Page) -> None:
        self.words = sorted(page.words, key=lambda w: w.start)
        self.starts = [w.start for w in self.words]
        self.longest = max((w.end - w.start for w in self.words), default=0)

    def bbox(self, start: int, end: int) -> BBox | None:
        """Union of the boxes of the words that overlap ``[start, end)``."""
        first = bisect_left(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return _union([w.bbox for w in self.words[first:last] if w.end > start])


def words_bbox(page: Page, start: int, end: int) -> BBox | None:
    """Union of the boxes of the words that overlap ``[start, end)``."""
    return WordIndex(page).bbox(start, end)


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _entity(cand: Candidate, text: str, page: Page | None, index: WordIndex | None) -> Entity:
    return Entity(
        type=cand.type,
        text=cand.text,
        normalized=cand.normalized,
        confidence=round(cand.confidence, 3),
        page=page.number if page else None,
        bbox=index.bbox(cand.start, cand.end) if index else None,
        start=cand.start,
        end=cand.end,
        context=context_of(text, cand.start, cand.end),
        valid_checksum=cand.valid_checksum,
        source=cand.source,
    )


def extract_entities(
    result_or_text: DocumentResult | str,
    *,
    types: set[str] | None = None,
    min_confidence: float = 0.0,
) -> list[Entity]:
    """Entities of a document (per page, with boxes) or of a plain text (page and box ``None``)."""
    wanted = set(types) if types is not None else None
    if isinstance(result_or_text, str):
        sources: list[tuple[str, Page | None]] = [(result_or_text, None)]
    else:
        sources = [(page.text, page) for page in result_or_text.pages]
    entities: list[Entity] = []
    for text, page in sources:
        index = WordIndex(page) if page else None
        for cand in find_candidates(text, wanted):
            if cand.confidence >= min_confidence:
                entities.append(_entity(cand, text, page, index))
    return entities
