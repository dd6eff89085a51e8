"""The issuer named by its own web address: the website or e-mail domain printed on an
invoice (outside the customer's block) is the issuer's, so the name that spells that domain
is the issuer's name (``www.acme-tools.com`` → ``Acme Tools``, ``billing@acme.com`` →
``Acme Ltd``). Mail providers' domains name nobody."""

from __future__ import annotations

import re

from folio.pipeline.fields.companies import LEGAL_FORM, clean_name, customer_blocks
from folio.pipeline.fields.layout import Line, LWord, fold
from folio.pipeline.fields.locators import Context, Found, heuristic_found
from folio.pipeline.fields.types import FieldSpec, Locator

WEB = re.compile(
    r"(?:https?://|www\.)(?P<host>[a-z0-9][\w.-]*\.[a-z]{2,})"
    r"|[\w.+-]+@(?P<mail>[a-z0-9][\w.-]*\.[a-z]{2,})",
    re.IGNORECASE,
)
# web-mail hosts (names of at least MIN_KEY letters): an address there names no company
MAIL_PROVIDERS = frozenset(
    {"gmail", "googlemail", "yahoo", "hotmail", "outlook", "icloud", "protonmail", "yandex"}
    | {"example", "mailbox", "fastmail", "rediffmail", "zoho"}
)
SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne"})
# domain names that are plain words name no one in particular ("www.shop.com")
GENERIC = frozenset(
    {"shop", "store", "online", "mail", "info", "support", "billing", "invoice", "invoices"}
    | {"payment", "payments", "service", "services", "help", "home", "site", "website"}
)
MIN_KEY = 4  # shorter domain names ("abc.com") match too many words
TOOL_CREDIT = re.compile(r"\b(?:powered|generated|created|made)\s+(?:by|with)\b", re.IGNORECASE)


def domain_key(host: str) -> str | None:
    """The registrable name of a host, letters and digits only: ``shop.acme-tools.co.uk``
    → ``acmetools``; None for a mail provider or a name too short to tell."""
    parts = host.lower().strip(".").split(".")
    if parts and parts[0] == "www":
        parts = parts[1:]
    parts = parts[:-1]  # the top-level domain
    if len(parts) > 1 and parts[-1] in SECOND_LEVEL:
        parts = parts[:-1]
    if not parts or parts[-1] in MAIL_PROVIDERS or parts[-1] in GENERIC:
        return None
    key = re.sub(r"[^a-z0-9]", "", parts[-1])
    return key if len(key) >= MIN_KEY else None


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


Segments = list[tuple[Line, list[LWord]]]


def _own_segments(lines: list[Line]) -> Segments:
    """Segments outside the customer's blocks, in print a reader can see (not the tiny
    producer credits some PDF tools stamp on a page)."""
    skip = customer_blocks(lines)
    heights = sorted(line.height for line in lines)
    small = 0.4 * heights[len(heights) // 2] if heights else 0.0
    return [
        (line, seg)
        for line in lines
        for seg in line.segments
        if (line.index, id(seg)) not in skip
        and line.height >= small
        and not TOOL_CREDIT.search(line.text)
    ]


def _domain_keys(segments: Segments) -> list[str]:
    keys: list[str] = []
    for _, seg in segments:
        for m in WEB.finditer(" ".join(w.text for w in seg)):
            key = _host_key(m)
            if key and key not in keys:
                keys.append(key)
    return keys


def _legal_name(segments: Segments, key: str, loc: Locator) -> Found | None:
    """A name with a legal form that spells the domain: ``Acme Tools, Inc.``, also inside a
    sentence (``… provided by Acme Tools Inc.``)."""
    for line, seg in segments:
        text = " ".join(w.text for w in seg)
        for m in LEGAL_FORM.finditer(text):
            name = _from_key(clean_name(m.group("name")), key)
            if name is not None:
                return heuristic_found(f"{name} {m.group('form')}", seg, loc, line.index)
    return None


def _from_key(name: str, key: str) -> str | None:
    """``name`` from its first capitalised word on which it spells ``key`` (or ``key`` spells
    all of it)."""
    words = name.split()
    for i, word in enumerate(words):
        rest = _squash(" ".join(words[i:]))
        if word[:1].isupper() and len(rest) >= 2 and (rest.startswith(key) or key.startswith(rest)):
            return " ".join(words[i:])
    return None


def _spelled(segments: Segments, key: str, loc: Locator) -> Found | None:
    """A whole segment, else a run of capitalised words, that spells the domain."""
    for line, seg in segments:
        if _squash(" ".join(w.text for w in seg)) == key:
            return heuristic_found(" ".join(w.text for w in seg), seg, loc, line.index)
    for line, seg in segments:
        for i in range(len(seg)):
            run = ""
            for j in range(i, min(i + 4, len(seg))):
                word = seg[j].text.strip(",;:()\"'")
                if not word[:1].isupper() or re.search(r"[@/]|\.\w", word):
                    break
                run += _squash(word)
                if run == key:
                    words = seg[i : j + 1]
                    text = " ".join(w.text for w in words).strip(",;:()\"'.!?")
                    return heuristic_found(text, words, loc, line.index)
                if not key.startswith(run):
                    break
    return None


# a bare host name as a footer prints it beside the company (``Saeco.com``, ``acme.co.uk``)
BARE_HOST = re.compile(
    r"(?<![\w@.-])(?P<host>[a-z][\w-]*(?:\.[a-z][\w-]*)*\.[a-z]{2,6})(?![\w.])", re.I
)


def _named_beside(segments: Segments, key: str, loc: Locator) -> Found | None:
    """A name with a legal form printed in the same segment as the domain (a footer's
    ``Acme Trading B.V. on behalf of brand.com``): the company that owns the domain, where
    the domain spells only a brand."""
    for line, seg in segments:
        text = " ".join(w.text for w in seg)
        hosts = [domain_key(m.group("host")) for m in BARE_HOST.finditer(text)]
        if key not in hosts and not any(_host_key(m) == key for m in WEB.finditer(text)):
            continue
        for m in LEGAL_FORM.finditer(text):
            name = clean_name(m.group("name"))
            if sum(ch.isalpha() for ch in name) >= 2 and key not in _squash(name):
                return heuristic_found(f"{name} {m.group('form')}", seg, loc, line.index)
    return None


def _host_key(m: re.Match[str]) -> str | None:
    return domain_key(m.group("host") or m.group("mail"))


def web_issuer(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The issuer's name as its website or e-mail domain spells it, with its legal form where
    printed (also beside that domain); a brand that only an image on a text page spells (a
    logo) is left to :func:`web_brand`, after the labelled seller."""
    segments = _own_segments(lines)
    logo = _image_words(lines)
    for key in _domain_keys(segments):
        found = _legal_name(segments, key, loc) or _named_beside(segments, key, loc)
        if found is None:
            found = _spelled(
                [(ln, seg) for ln, seg in segments if id(seg[0]) not in logo], key, loc
            )
        if found is not None:
            return [found]
    return []


def web_brand(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """The name the website or e-mail domain spells in a logo: words read from an image on a
    page that has a text layer."""
    logo = _image_words(lines)
    segments = [(ln, seg) for ln, seg in _own_segments(lines) if id(seg[0]) in logo]
    for key in _domain_keys(_own_segments(lines)):
        found = _spelled(segments, key, loc)
        if found is not None:
            return [found]
    return []


def _image_words(lines: list[Line]) -> set[int]:
    """Ids of words OCR read in the images of text-layer pages: they carry an OCR confidence
    where the document also has text-layer words (which have none)."""
    words = [w for line in lines for w in line.words]
    if all(w.confidence is not None for w in words):
        return set()
    return {id(w) for w in words if w.confidence is not None}
