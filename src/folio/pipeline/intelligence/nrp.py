"""Nationality, religious and political groups (NRP) by lexicon, for what the entity model
misses: a capitalised group word is a weak candidate that a context word ("nationality",
"citizen", "religion", "is", …) lifts, as Presidio's context enhancement does."""

from __future__ import annotations

import re
from collections.abc import Iterator

from folio.pipeline.intelligence.candidates import Candidate

NRP = (
    "American", "British", "English", "Scottish", "Welsh", "Irish", "French", "German", "Dutch",
    "Belgian", "Swiss", "Austrian", "Italian", "Spanish", "Portuguese", "Greek", "Turkish",
    "Swedish", "Norwegian", "Danish", "Finnish", "Icelandic", "Polish", "Czech", "Slovak",
    "Hungarian", "Romanian", "Bulgarian", "Serbian", "Croatian", "Slovenian", "Bosnian",
    "Albanian", "Ukrainian", "Russian", "Belarusian", "Lithuanian", "Latvian", "Estonian",
    "Georgian", "Armenian", "Azerbaijani", "Kazakh", "Uzbek", "Chechen", "Mongolian", "Chinese",
    "Japanese", "Korean", "Vietnamese", "Thai", "Malaysian", "Indonesian", "Filipino",
    "Singaporean", "Indian", "Pakistani", "Bangladeshi", "Sri Lankan", "Nepali", "Afghan",
    "Iranian", "Iraqi", "Syrian", "Lebanese", "Jordanian", "Israeli", "Palestinian", "Saudi",
    "Emirati", "Qatari", "Omani", "Yemeni", "Egyptian", "Libyan", "Tunisian", "Algerian",
    "Moroccan", "Nigerian", "Ghanaian", "Kenyan", "Ethiopian", "Somali", "Sudanese", "Ugandan",
    "Tanzanian", "Rwandan", "Congolese", "Angolan", "Zambian", "Zimbabwean", "South African",
    "Namibian", "Malagasy", "Mexican", "Guatemalan", "Honduran", "Salvadoran", "Nicaraguan",
    "Costa Rican", "Panamanian", "Cuban", "Haitian", "Dominican", "Jamaican", "Colombian",
    "Venezuelan", "Ecuadorian", "Peruvian", "Bolivian", "Chilean", "Argentinian", "Argentine",
    "Uruguayan", "Paraguayan", "Brazilian", "Canadian", "Australian", "New Zealander",
    "Fijian", "Samoan", "Maltese", "Cypriot", "Luxembourgish", "Belizean", "Bruneian",
    "Bhutanese", "Maldivian", "Burmese", "Cambodian", "Laotian", "Tibetan", "Kurdish", "Basque",
    "Catalan", "Flemish", "Christian", "Catholic", "Protestant", "Orthodox", "Muslim", "Sunni",
    "Shia", "Jewish", "Hindu", "Buddhist", "Sikh", "Jain", "Mormon", "Lutheran", "Baptist",
    "Methodist", "Anglican", "Evangelical", "Quaker", "Atheist", "Agnostic", "Democrat",
    "Republican", "Conservative", "Liberal", "Labour", "Socialist", "Communist", "Libertarian",
    "Green", "Hispanic", "Latino", "Latina", "African American", "Asian", "Arab", "European",
    "African", "Caucasian", "Indigenous", "Aboriginal", "Roma",
)  # fmt: skip
_WORDS = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(w) for w in sorted(NRP, key=len, reverse=True))
    + r")(?:s(?<!Greens))?(?![\w-])"
)  # "Catholics", "Republicans"; not "… Greens", a street's ending
# a group word followed by a capitalised noun names a thing ("German Shepherd", "Thai Airways")
_BEFORE_NAME = re.compile(r"[ \t]+[A-Z][a-z]")
# written in lower case ("I am cambodian", "she is an atheist"), a group word counts only after
# a verb of being
_LOWER = re.compile(
    r"(?i:\b(?:i am|i'm|am|is|are|was|were|being|as)[ \t]+(?:an?[ \t]+)?)("
    + "|".join(re.escape(w.lower()) for w in sorted(NRP, key=len, reverse=True))
    + r"s?)(?![\w-])(?=[ \t]*(?:[.,;:!?)]|$|\n|(?:and|but|or|by|in|from)\b))"
)  # … and ends the clause: "is a conservative estimate" is no group
_COLOURS = frozenset({"green", "greens"})  # "the wall is green": a colour, not the party
LEXICON_CONFIDENCE = 0.6


def find_groups(text: str) -> Iterator[Candidate]:
    for m in _WORDS.finditer(text):
        if _BEFORE_NAME.match(text, m.end()):
            continue
        yield Candidate(
            "nrp", m.start(), m.end(), m.group(), LEXICON_CONFIDENCE, m.group(), None, "lexicon"
        )
    for m in _LOWER.finditer(text):
        if m.group(1).islower() and m.group(1) not in _COLOURS:
            raw = m.group(1)
            yield Candidate(
                "nrp", m.start(1), m.end(1), raw, LEXICON_CONFIDENCE, raw, None, "lexicon"
            )
