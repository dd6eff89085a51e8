"""Street addresses: English-style (number, name, street type), continental forms (street type
before the name, or as the name's ending, then the number), each extended over the address
lines that follow (unit, town, region, country, postal code), as addresses are written."""

from __future__ import annotations

import re
from collections.abc import Iterator

from folio.pipeline.intelligence.candidates import Candidate

_UNIT_WORD = r"(?:(?:Suite|Ste|Apt|Apartment|Unit|Floor|Fl|Piano|Piso|Etage)\b\.?|#)"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,4}[A-Za-z]?)?"
_UNIT = rf"(?:,?[ \t]+{_UNIT_WORD}[ \t]*\w+)*"
_STREET_TYPES = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Alley|Row|Crescent|Close"
    r"|Gardens|Park|Parks|Plaza|Walk|Hill|Gateway|Squares|Mews|Grove)"
)
_CAP = r"[A-ZÀ-ÞĀ-\u017f\u0386-\u03ab][\w'.-]*"  # a capitalised word (Latin scripts)
_ENGLISH = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?(?:[ \t]+\d{{1,6}})?[ \t]+(?:{_CAP}[ \t]+){{1,4}}{_STREET_TYPES}\b\.?"
    + _UNIT
)
_PREFIX_TYPES = (
    r"(?:Rua|Rue|Via|Viale|Calle|Carrer|Avenida|Avda\.|Piazza|Plaza|Praça|Largo|Corso|Chaussée"
    r"|Camino|Paseo|Travessa|Estrada|ul\.|ulica|Odos|Plac|Aleja"
    r"|Jalan|JALAN|Jln\.?|JLN\.?|Lorong|LORONG|Lrg\.?|Persiaran|PERSIARAN|Lebuh|LEBUH"
    r"|Λεωφόρος|Λεωφ\.|Οδός|Πλατεία|Av\.?|Avenue|Boulevard|Bd\.?|Chemin|Allée|Impasse|Vicolo"
    r"|Strada|Straße|C/|Cite|Cité|Rruga|Ulica|Bulevar|Alameda|Rodovia|Ladeira|Passarela|Viela"
    r"|Quadra|Ronda|Rotonda|Contrada|Borgo|Piazzale|Travesía|Glorieta|Pasaje|Callejón|aleja"
    r"|al\.|pl\.|os\.|rue|avenue|boulevard|chemin|allée|impasse|place|quai|route)"
)
_PARTICLE = r"(?:(?:d[aeo]s?|de la|del|di|du|des|al|el|la|le)[ \t]+)?"
_PREFIXED = re.compile(
    rf"(?<![\w-])(?:\d{{1,6}},?[ \t]+)?{_PREFIX_TYPES}[ \t]+{_PARTICLE}(?:{_CAP}[ \t]*){{1,4}}"
    rf"(?:,?[ \t]*{_NUMBER}(?![\w/-]))?" + _UNIT
)
_SUFFIX_TYPES = (
    r"(?:strasse|straße|str\.|gasse|weg|gatan|vägen|vej|veien|laan|straat|plein|tie|katu|kuja"
    r"|gade|vænget|allé|väg|torget|platz|damm|ufer|stræti|gata|braut|veien|vegen|vei|stien"
    r"|sti|vägen|gränd|backe|stig|tie|polku|raitti|tanhua|utca|út|útja|ulica|cesta|iela|gatve"
    r"|tänav|straat|steeg|singel|gracht|kade|dreef|hof|hove|pad|strada)"
)
_SPACED_TYPES = (
    r"(?:Strasse|Straße|Weg|Gasse|Platz|Allee|Laan|Straat|Vej|Gade|Gatan|utca|u\.|Ring|Damm"
    r"|Ufer|Chaussee|Steig|Pfad)"
)
_SUFFIXED = re.compile(
    rf"(?<![\w-])(?:\d{{1,6}}[ \t]+)?[A-ZÀ-ÞĀ-\u017f][\w-]*"
    rf"(?:{_SUFFIX_TYPES}|[ \t-]{_SPACED_TYPES})"
    rf"(?:[ \t]+[\w.]+)?[ \t]+{_NUMBER}(?![\w/-])\.?" + _UNIT
)
# a house number, a name and its number, then a unit ("51709 Spinatsch 94 Apt. 615"): without
# a street word, the unit after the number says it is a street
_UNIT_AFTER = re.compile(
    rf"(?<![\w-])\d{{1,6}}[ \t]+{_CAP}(?:[ \t]+(?:{_CAP}|[^\W\d_A-Z]+)){{0,3}}[ \t]+{_NUMBER}"
    rf"(?:,?[ \t]*(?:\n[ \t]*)?{_UNIT_WORD}[ \t]*\d+\w*)+"
)
# one more address line: a unit, or a town/region/country (capitalised words, codes), with an
# optional postal code; separated by a line break or a comma
_PLACE_WORD = rf"(?:{_CAP}|[A-Z]{{2,3}})"
_PLACE_WORD_INLINE = r"(?:[A-ZÀ-ÞĀ-\u017f\u0391-\u03a9][^\W\d_]+|[A-Z]{2,3}\b)"
_LINE = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*(?:,[ \t]*)?)"
    rf"(?:{_UNIT_WORD}[ \t]*\w+"
    rf"|(?:\d{{2,5}}(?:[- ]\d{{3,4}})?,?[ \t]+)?{_PLACE_WORD}"
    rf"(?:[ \t]+(?:{_PLACE_WORD}|d[aeo]|de|da|del|della|di|al|am|an))*"
    r"(?:[ \t]*\([^\W\d_a-z][^\W\d_]*\))?(?:[ \t]+\d[\d -]{2,8}\d)?"
    r"|\d{4,6}(?:-\d{3,4})?(?:[ \t]+[A-Z]{2}\b)?)"
    r"(?:[ \t]*\([A-Z]{2,3}\)|[ \t]*/[ \t]*[A-Z]{2}\b)?"
)
# a line that starts with a comma continues the address above, whatever short code it holds
# (a region written as a number or a code in lower case)
_CONTINUED = re.compile(r"[ \t]*\n[ \t]*,[ \t]*[^\W_]{1,4}(?=[ \t]*(?:\n|$))")
# words that name an address next: the address follows, whatever its country's grammar
_CUE = re.compile(
    r"(?i:\b(?:address(?:es)?(?:[ \t]+(?:is|was|to))?|lives?[ \t]+(?:at|on)|living[ \t]+at"
    r"|located[ \t]+at|resid(?:es?|ing)[ \t]+at|(?:sent|send|mail(?:ed)?|ship(?:ped)?"
    r"|deliver(?:ed)?|forward(?:ed)?|post(?:ed)?|move[ds]?)[ \t]+(?:\w+[ \t]+){0,3}?to"
    r"|arrived[ \t]+at|stop[ \t]+at|here[ \t]+(?:it|they)[ \t]+(?:is|are))"
    r"|ship[ \t]+to|deliver[ \t]+to)[ \t]*[:?]?[ \t]*(?:\n[ \t]*)?(?:\w+:[ \t]*)?"
)
# the words of an address line: numbers, capitalised words, unit words, particles
_ADDRESS_WORD = (
    rf"(?:\d{{1,6}}[A-Za-z]?\.?(?=[\s,]|$)|{_UNIT_WORD}|{_CAP}|[A-Z]{{2,3}}\b"
    r"|(?:d[aeiou]s?|de la|del|della|al|el|la|le|van|von|der|den|the|of|aan|am|an|im|u\.)(?=[ \t]))"
)
_CUED_BODY = re.compile(rf"{_ADDRESS_WORD}(?:[ \t]+{_ADDRESS_WORD}|[ \t]*,[ \t]*{_ADDRESS_WORD})*")
# after a street and its unit, capitalised place words on the same line, up to a boundary
_SAME_LINE_PLACES = re.compile(
    rf"(?:[ \t]+{_PLACE_WORD_INLINE})+(?:[ \t]+\d[\d -]{{2,8}}\d)?(?=[ \t]*(?:[.,;?!)]|\n|$))"
)
# US military mail (USPS Publication 28): "Unit 1293 Box 4311 / DPO AE 01708", "USNS Name / FPO"
_MILITARY = re.compile(
    r"\b(?:(?:Unit|PSC|CMR)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{3,5}|USN[SV][ \t]+[^\W\d_][\w-]*)"
    r"[ \t]*(?:\n[ \t]*|,[ \t]*)?[AFD]PO[ \t]+A[AEP][ \t]+\d{5}\b",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"(?:\b\d{1,6}[ \t]+)?\b(?:P\.?[ \t]?O\.?[ \t]*Box|Post(?:[ \t]*Office)?[ \t]*Box|Postbox)"
    r"[ \t]+\d{1,6}\b" + _UNIT,
    re.IGNORECASE,
)
# an intersection: "the corner of 5th Avenue and Main Street"
_STREET_NAME = rf"(?:[\w.]+[ \t]+){{0,4}}?(?:{_CAP}|\d{{1,5}})"
_CORNER = re.compile(
    rf"\b(?:[Tt]he[ \t]+)?[Cc]orner[ \t]+of[ \t]+(?:{_CAP}|\d|ul\.)[\w.]*(?:[ \t]+[\w.]+){{0,4}}?"
    rf"[ \t]+and[ \t]+{_CAP}(?:[ \t]+{_CAP})*(?=[ \t]*(?:[.,;?!)]|\n|$))"
)
MAX_LINES = 4
_CONFIDENCE = {"english": 0.8, "prefixed": 0.7, "suffixed": 0.7, "unit": 0.7}


def extend_address(text: str, end: int) -> int:
    """End of an address found elsewhere (the entity model), over its following lines."""
    return _drop_full_stop(text, _extend(text, end))


def _extend(text: str, end: int) -> int:
    """End of the address after place words on its line and up to ``MAX_LINES`` following
    address lines."""
    same = _SAME_LINE_PLACES.match(text, end)
    if same:
        end = same.end()
    for _ in range(MAX_LINES):
        m = _LINE.match(text, end) or _CONTINUED.match(text, end)
        if not m or m.group().count("\n") > 1 or _FORM_LINE.search(m.group()):
            break
        end = m.end()
    return end


ADDRESS_CUE = _CUE


def cued_addresses(text: str) -> Iterator[Candidate]:
    """What follows an address cue ("lives at", "address:", "sent to"), when it holds a number
    and a name: the cue says it is an address, whatever the street grammar."""
    for cue in _CUE.finditer(text):
        m = _CUED_BODY.match(text, cue.end())
        if not m or not re.search(r"\d", m.group()) or not re.search(r"[^\W\d_]{3}", m.group()):
            continue
        end = _extend(text, _sentence_end(text, m.start(), m.end()))
        end = _drop_full_stop(text, end)
        raw = text[m.start() : end]
        yield Candidate("address", m.start(), end, raw, 0.75, " ".join(raw.split()), None, "cue")


def _sentence_end(text: str, start: int, end: int) -> int:
    """``end``, or where a sentence ends before it: a full stop after a number or a word
    longer than an abbreviation, then a capitalised word ("… IL 62704. Thanks")."""
    for stop in re.finditer(r"\.[ \t]+[A-Z][a-z]", text[start:end]):
        word = re.search(r"\w+$", text[start : start + stop.start()])
        if word and (word.group().isdigit() or len(word.group()) > 3):
            return start + stop.start()
    return start + len(text[start:end].rstrip(" \t,."))


def _drop_full_stop(text: str, end: int) -> int:
    if text[end - 1] == "." and not re.search(r"\b\w{1,3}\.$", text[:end]):
        return end - 1  # a full stop after a town, not an abbreviation
    return end


# a postcode and a town ("41150 KLANG, SELANGOR", "53200, Kuala Lumpur", "75008 Paris")
_POSTAL_LINE = re.compile(
    r"[ \t]*(?:[^\n]*?,[ \t]*)?\d{5}(?:-\d{4})?[ \t]*,?[ \t]+[^\W\d_]{3,}[^\W\d_ .,'-]*"
    r"(?:[ \t.,]+[^\W\d_a-z][^\W\d_'-]*){0,4}[ \t.,]*$"
)
# words that make a line a street line, in the languages of the formats above
_STREET_WORD = re.compile(
    rf"(?i)\b(?:{_STREET_TYPES[3:-1]}|{_PREFIX_TYPES[3:-1]}|no\.?(?=[ \t]*\d)|lot|taman|bandar"
    r"|seksyen|kampung|kg\.?|level|floor|blok|block|blk|building|bangunan|wisma|plaza|menara"
    r"|autoroute|route|km|p\.?o\.? box|postbox|box)\b"
)
_FORM_WORDS = (
    r"(?i:\b(?:gst|vat|tax|invoice|receipt|tel|fax|phone|reg(?:istration)?|www|http|sdn|bhd"
    r"|ltd|inc|company|co\.|date|total)\b)|@"
)
_FORM_LINE = re.compile(_FORM_WORDS)
_NOT_ADDRESS_LINE = re.compile(_FORM_WORDS + r"|^\W*\(?[\dA-Z]*\d[\dA-Z-]*\)?\W*$", re.MULTILINE)
_PLACE_ONLY = re.compile(r"[ \t]*[^\W\d_][^\W\d_'-]*(?:[ \t]+[^\W\d_][^\W\d_'-]*){0,3}[ \t.,]*$")
BLOCK_LINES = 4


# "12 Main Street, Springfield": a street with its number, then after one comma a town and
# nothing more (no region, postcode or further line)
_STREET_THEN_TOWN = re.compile(
    r"(?P<street>[^,\n]*\d[^,\n]*?)[ \t]*,[ \t]*"
    r"(?P<town>[^\W\d_][^\W\d_'-]*(?:[ \t]+[^\W\d_][^\W\d_'-]*){0,2})"
)
_STREET_NAME_ENDING = re.compile(rf"(?i)\w{_SUFFIX_TYPES}\b")


def street_and_town(address: str) -> tuple[int, int, int] | None:
    """``(end of the street, start and end of the town)`` in an address written as a street
    and its town only; None for any other address. Such a town is a place the street is in,
    as NER corpora label it; with a region or postcode the address is a postal one, whole."""
    m = _STREET_THEN_TOWN.fullmatch(address)
    if not m or _STREET_WORD.search(m["town"]) or _STREET_NAME_ENDING.search(m["town"]):
        return None
    return m.end("street"), m.start("town"), m.end("town")


def address_blocks(text: str) -> Iterator[Candidate]:
    """A document's postal block: the line with a postcode and a town, the street lines just
    above it and the region or country line below, as letterheads and receipts print them."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    for i, (start, end) in enumerate(lines):
        if not _POSTAL_LINE.match(text, start, end) or _NOT_ADDRESS_LINE.search(text, start, end):
            continue
        top = i
        while top > 0 and i - top < BLOCK_LINES and _street_line(text, *lines[top - 1]):
            top -= 1
        bottom = i
        if i + 1 < len(lines) and _place_line(text, *lines[i + 1]):
            bottom = i + 1
        if top == i and not _STREET_WORD.search(text, start, end):
            continue  # a town alone is a location, not an address
        s, e = lines[top][0], lines[bottom][1]
        if cue := _CUE.search(text, s, lines[top][1]):
            s = cue.end()  # "She lives at rue de Mace": the address starts after its cue
        raw = text[s:e].strip()
        s += len(text[s:e]) - len(text[s:e].lstrip())
        e = s + len(raw.rstrip(" \t,"))
        yield Candidate(
            "address", s, e, text[s:e], 0.75, " ".join(text[s:e].split()), None, "block"
        )


def _place_line(text: str, start: int, end: int) -> bool:
    """A region or country line under the postcode line."""
    return bool(_PLACE_ONLY.match(text, start, end)) and not _NOT_ADDRESS_LINE.search(
        text, start, end
    )


def _street_line(text: str, start: int, end: int) -> bool:
    line = text[start:end]
    if _NOT_ADDRESS_LINE.search(line):
        return False
    return bool(_STREET_WORD.search(line)) or line.rstrip().endswith(",")


def special_forms(text: str) -> Iterator[Candidate]:
    """Military mail, post-office boxes and street corners."""
    for m in _MILITARY.finditer(text):
        yield _candidate(text, m.start(), m.end(), 0.85)
    for m in _PO_BOX.finditer(text):
        end = _drop_full_stop(text, _extend(text, m.start() + len(m.group().rstrip(" \t,"))))
        yield _candidate(text, m.start(), end, 0.8)
    for m in _CORNER.finditer(text):
        yield _candidate(text, m.start(), _drop_full_stop(text, m.end()), 0.8)


def _candidate(text: str, start: int, end: int, confidence: float) -> Candidate:
    raw = text[start:end]
    return Candidate("address", start, end, raw, confidence, " ".join(raw.split()))


def find_addresses(text: str) -> Iterator[Candidate]:
    yield from cued_addresses(text)
    yield from special_forms(text)
    yield from address_blocks(text)
    patterns = (("english", _ENGLISH), ("prefixed", _PREFIXED), ("suffixed", _SUFFIXED),
                ("unit", _UNIT_AFTER))  # fmt: skip
    for kind, pattern in patterns:
        for m in pattern.finditer(text):
            raw_end = m.start() + len(m.group().rstrip(" \t,"))
            if kind != "english" and not re.search(r"\d", m.group()):
                continue  # a street name alone, without a number, is not an address
            end = _drop_full_stop(text, _extend(text, raw_end))
            raw = text[m.start() : end]
            yield Candidate(
                "address", m.start(), end, raw, _CONFIDENCE[kind], " ".join(raw.split())
            )
