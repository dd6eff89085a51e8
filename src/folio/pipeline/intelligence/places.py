"""Country and region names from the Unicode CLDR (shipped with Babel), in English and the
languages of the address formats Folio reads, and places named after a location cue
("lives in", "based in", "arrived at"), for the towns no list can hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from folio.pipeline.intelligence.candidates import Candidate

_LOCALES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "nb", "fi", "el")
# long forms and usual names that CLDR spells differently
_EXTRA = ("United States of America", "Czech Republic", "Great Britain", "Holland",
          "Republic of Ireland", "Ivory Coast", "Burma", "Swaziland", "Macedonia")  # fmt: skip
_PLACE_CUE = re.compile(
    r"(?:\b(?:[Ll]ive[sd]?|[Ll]iving|[Bb]ased|[Gg]rew up|[Bb]orn|[Rr]aised|[Ss]tationed"
    r"|[Rr]esides?|[Rr]esiding|[Ss]tay(?:ing|ed|s)?|[Ww]ork(?:s|ed|ing)?)[ \t]+(?:in|at)"
    r"|\b(?:[Oo]riginally|[Cc]ome[s]?|[Cc]oming|[Ff]lew|[Mm]oved|[Rr]elocated)[ \t]+(?:from|to)"
    r"|\b(?:[Aa]rrived|[Ll]anded)[ \t]+(?:at|in)|\b[Vv]isit(?:ed|ing)?|\b[Tt]rip to"
    r"|\b(?:[Rr]eturned|[Ww]ent|[Dd]rove|[Tt]ravel(?:l?ed)?|[Hh]eaded|[Ss]ailed)"
    r"[ \t]+(?:back[ \t]+)?to"
    r"|\b[Ii] am in|\b[Ii]'m in)[ \t]+"
)
_PLACE_NAME = re.compile(
    r"(?:the[ \t]+)?([^\W\d_][^\W\d_'\u2019.-]*(?:-[^\W\d_]+)*"
    r"(?:[ \t]+(?:(?:de|del|de la|di|da|do|du|la|le|am|an|upon|on)[ \t]+)?"
    r"[^\W\d_][^\W\d_'\u2019.-]*(?:-[^\W\d_]+)*){0,3})"
)
_LOWER_STOP = frozenset(
    {"the", "a", "an", "this", "that", "my", "our", "your", "his", "her", "their", "for", "and",
     "or", "but", "with", "last", "next", "morning", "evening", "night", "time", "here", "there",
     "home", "town", "city", "it", "them", "him", "me", "us", "which", "where", "when", "while",
     "during", "since", "before", "after", "again", "together", "downtown", "abroad", "order",
     "person", "total", "business", "one", "two", "some", "any", "all"}
)  # fmt: skip
CUED_CONFIDENCE = 0.55
_WORD = re.compile(r"(?<![\w-])[^\W\d_]+")
# after the country name on its line, at most a postcode
_COUNTRY_LINE = re.compile(r"(?:[ \t,]+[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9])?[ \t]*")
_MARKS = re.compile(r"[^\w\n]*")
_WORD_CHAR = re.compile(r"[\w-]")
_TOWN_ABOVE = re.compile(
    r"(?:^|\n)[^\w\n]*([^\W\d_a-z][^\W\d_'-]*"
    r"(?:[ \t]+(?:(?:de|del|de la|di|da|do|du|la|le|am|an|upon|on|sur)[ \t]+)?"
    r"[^\W\d_a-z][^\W\d_'-]*){0,3})[ \t]*\n[ \t]*$"
)


@cache
def country_names() -> frozenset[str]:
    """Lower-cased names of countries and territories (not world regions)."""
    from babel import Locale

    names: set[str] = {n.lower() for n in _EXTRA}
    for code in _LOCALES:
        for key, name in Locale(code).territories.items():
            if key.isalpha():
                names.add(name.lower().replace("&", "and"))
    return frozenset(names)


def is_country(text: str) -> bool:
    return text.lower().replace("&", "and") in country_names()


def cued_places(text: str) -> Iterator[Candidate]:
    """The capitalised (or upper-case) words that follow a location cue, up to four."""
    for cue in _PLACE_CUE.finditer(text):
        m = _PLACE_NAME.match(text, cue.end())
        if not m:
            continue
        words = m.group(1).split()
        kept: list[str] = []
        for word in words:
            if not word[0].isupper() or word.lower() in _LOWER_STOP:
                break
            kept.append(word)
        if not kept:
            continue
        start = m.start(1)
        end = _end(text, start, kept)
        raw = text[start:end]
        yield Candidate("location", start, end, raw, CUED_CONFIDENCE, raw, None, "cue")


def countries(text: str) -> Iterator[Candidate]:
    """Country names, capitalised as names are, and the town line written above a country
    line (the last two lines of a postal address)."""
    for start, end in _country_spans(text):
        raw = text[start:end]
        yield Candidate("location", start, end, raw, 0.6, raw, None, "lexicon")
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        alone = _MARKS.fullmatch(text, line_start, start) and _COUNTRY_LINE.fullmatch(
            text, end, line_end
        )
        if line_start == 0 or not alone:
            continue
        town = _TOWN_ABOVE.search(text, max(0, line_start - 80), line_start)
        if town:
            raw = town.group(1)
            yield Candidate("location", town.start(1), town.end(1), raw, 0.75, raw, None, "layout")


def _country_spans(text: str) -> Iterator[tuple[int, int]]:
    """Longest country name starting at each capitalised word (a set look-up per word)."""
    by_first = _by_first_word()
    lowered = text.lower()
    for word in _WORD.finditer(text):
        if not word.group()[0].isupper():
            continue
        for name in by_first.get(word.group().lower(), ()):
            end = word.start() + len(name)
            if lowered.startswith(name, word.start()) and not _WORD_CHAR.match(text, end):
                yield word.start(), end
                break


@cache
def _by_first_word() -> dict[str, tuple[str, ...]]:
    """Country names by their first word, longest first."""
    grouped: dict[str, list[str]] = {}
    for name in country_names():
        if len(name) > 3:
            grouped.setdefault(name.split()[0].split("-")[0], []).append(name)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in grouped.items()}


def _end(text: str, start: int, words: list[str]) -> int:
    """End offset of ``words`` as written from ``start`` (any spacing between them)."""
    end = start
    for word in words:
        end = text.index(word, end) + len(word)
    return end
