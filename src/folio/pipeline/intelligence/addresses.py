"""Street addresses: English-style (number, name, street type), continental forms (street type
before the name, or as the name's ending, then the number), each extended over the address
lines that follow (unit, town, region, country, postal code), as addresses are written."""

from __future__ import annotations

import re
from collections.abc import Iterator

from folio.pipeline.intelligence.candidates import Candidate

_UNIT_WORD = r"(?:(?:Suite|Ste|Apt|Apartment|Unit|Floor|Fl)\b\.?|#)"
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
    r"|Strada|Straße|C/|Cite|Cité|Rruga|Ulica|Bulevar)"
)
_PARTICLE = r"(?:(?:d[aeo]s?|de la|del|di|du|des|al|el|la|le)[ \t]+)?"
_PREFIXED = re.compile(
    rf"\b(?:\d{{1,6}}[ \t]+)?{_PREFIX_TYPES}[ \t]+{_PARTICLE}(?:{_CAP}[ \t]*){{1,4}}"
    rf"(?:[ \t]*\d{{1,5}}[A-Za-z]?\b)?" + _UNIT
)
_SUFFIX_TYPES = (
    r"(?:strasse|straße|str\.|gasse|weg|gatan|vägen|vej|veien|laan|straat|plein|tie|katu|kuja"
    r"|gade|vænget|allé|väg|torget|platz|damm|ufer|stræti|gata|braut|veien|vegen|vei|stien"
    r"|sti|vägen|gränd|backe|stig|tie|polku|raitti|tanhua|utca|út|útja|ulica|cesta|iela|gatve"
    r"|tänav|straat|steeg|singel|gracht|kade|dreef|hof|hove|pad|strada)"
)
_SPACED_TYPES = r"(?:Strasse|Straße|Weg|Gasse|Platz|Allee|Laan|Straat|Vej|Gade|Gatan|utca|u\.)"
_SUFFIXED = re.compile(
    rf"(?<![\w-])(?:\d{{1,6}}[ \t]+)?[A-ZÀ-ÞĀ-\u017f][\w-]*(?:{_SUFFIX_TYPES}|[ \t]{_SPACED_TYPES})"
    rf"(?:[ \t]+[\w.]+)?[ \t]+\d{{1,5}}[A-Za-z]?\b\.?" + _UNIT
)
# one more address line: a unit, or a town/region/country (capitalised words, codes), with an
# optional postal code; separated by a line break or a comma
_PLACE_WORD = rf"(?:{_CAP}|[A-Z]{{2,3}})"
_PLACE_WORD_INLINE = r"(?:[A-ZÀ-ÞĀ-\u017f\u0391-\u03a9][^\W\d_]+|[A-Z]{2,3}\b)"
_LINE = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*(?:,[ \t]*)?)"
    rf"(?:{_UNIT_WORD}[ \t]*\w+"
    rf"|{_PLACE_WORD}(?:[ \t]+(?:{_PLACE_WORD}|d[aeo]|de))*(?:[ \t]+\d[\d -]{{2,8}}\d)?"
    r"|\d{4,6}(?:-\d{4})?)"
)
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
MAX_LINES = 4
_CONFIDENCE = {"english": 0.8, "prefixed": 0.7, "suffixed": 0.7}


def _extend(text: str, end: int) -> int:
    """End of the address after place words on its line and up to ``MAX_LINES`` following
    address lines."""
    same = _SAME_LINE_PLACES.match(text, end)
    if same:
        end = same.end()
    for _ in range(MAX_LINES):
        m = _LINE.match(text, end)
        if not m or m.group().count("\n") > 1:
            break
        end = m.end()
    return end


def cued_addresses(text: str) -> Iterator[Candidate]:
    """What follows an address cue ("lives at", "address:", "sent to"), when it holds a number
    and a name: the cue says it is an address, whatever the street grammar."""
    for cue in _CUE.finditer(text):
        m = _CUED_BODY.match(text, cue.end())
        if not m or not re.search(r"\d", m.group()) or not re.search(r"[^\W\d_]{3}", m.group()):
            continue
        end = _extend(text, m.start() + len(m.group().rstrip(" \t,.")))
        end = _drop_full_stop(text, end)
        raw = text[m.start() : end]
        yield Candidate("address", m.start(), end, raw, 0.75, " ".join(raw.split()), None, "cue")


def _drop_full_stop(text: str, end: int) -> int:
    if text[end - 1] == "." and not re.search(r"\b\w{1,3}\.$", text[:end]):
        return end - 1  # a full stop after a town, not an abbreviation
    return end


def find_addresses(text: str) -> Iterator[Candidate]:
    yield from cued_addresses(text)
    for kind, pattern in (("english", _ENGLISH), ("prefixed", _PREFIXED), ("suffixed", _SUFFIXED)):
        for m in pattern.finditer(text):
            raw_end = m.start() + len(m.group().rstrip(" \t,"))
            if kind != "english" and not re.search(r"\d", m.group()):
                continue  # a street name alone, without a number, is not an address
            end = _drop_full_stop(text, _extend(text, raw_end))
            raw = text[m.start() : end]
            yield Candidate(
                "address", m.start(), end, raw, _CONFIDENCE[kind], " ".join(raw.split())
            )
