"""Context words, as Presidio's context enhancers use them: words near a candidate raise or
lower its confidence; driver's-licence numbers, which have no checksum, are found only where
a cue word names them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from folio.pipeline.intelligence.candidates import Candidate, near

_LICENCE_CUE = re.compile(
    r"(?i)\b(?P<strong>(?:driver'?s?|driving|motorist)[ \t]*(?:licen[cs]e|lic\.?|permit)"
    r"|D\.?L\.?(?:[ \t]*(?:no|nr|number|#))?)\b|\blicen[cs]e[ \t]*(?:no|nr|number|#|id)\b"
)
# one to three letters then digits, or digits in groups, or a run of letters and digits: the
# shapes licence numbers take (US states, the UK, the EU)
_LICENCE = re.compile(
    r"(?<![\w-])(?=[A-Za-z0-9 -]*\d{4})[A-Za-z]{0,3}[ -]?\d[\d -]{3,14}\d(?:[A-Za-z]{1,2})?"
    r"(?![\w-])|(?<![\w-])[A-Z]{5}\d{6}[A-Z0-9]{5}(?![\w-])"
    r"|(?<![\w-])(?=[A-Za-z]*\d[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,16}(?![\w-])"
)
LICENCE_CONFIDENCE = 0.65
# after "driver's licence" or "DL" a number is a licence more surely than it is a phone
NAMED_LICENCE_CONFIDENCE = 0.85
BOOST, PENALTY = 0.15, 0.25
_WORDS = {
    "person": r"name|mr|mrs|ms|dr|dear|signed|patient|customer|client|contact|employee|user",
    "location": r"in|at|from|to|city|town|country|state|live[sd]?|living|born|moved|visit(?:ed)?",
    "address": r"address|addresses|live[sd]?|living|ship|deliver(?:ed|y)?|sent|mail|located"
    r"|street|billing|shipping|residence",
    "nrp": r"nationality|national|citizens?|citizenship|religion|religious|faith|ethnic(?:ity)?"
    r"|political|party|affiliation|identif(?:y|ies)|community|is|am|are|was|were",
    "organization": r"company|employer|works?|worked|inc|ltd|corp|firm|bank|organi[sz]ation",
    "date": r"date|dob|born|on|since|until|from|before|after|due|expires?|issued",
}
_NEGATIVE = {
    # a name or place right before a street word is the street's name
    "person": r"street|st|road|rd|avenue|ave|lane|drive|boulevard",
    "location": r"street|st|road|rd|avenue|ave|lane|inc|ltd|llc",
}
_CUES = {t: re.compile(rf"(?i)\b(?:{w})\b") for t, w in _WORDS.items()}
_AFTER = {t: re.compile(rf"(?i)[ \t]*(?:{w})\b") for t, w in _NEGATIVE.items()}


def find_licences(text: str) -> Iterator[Candidate]:
    """Licence-shaped numbers with a licence cue word up to 40 characters before them."""
    for cue in _LICENCE_CUE.finditer(text):
        for m in _LICENCE.finditer(text, cue.end(), min(len(text), cue.end() + 40)):
            raw = m.group().strip(" -")
            start = m.start() + (len(m.group()) - len(m.group().lstrip(" -")))
            value = re.sub(r"[ -]", "", raw).upper()
            conf = NAMED_LICENCE_CONFIDENCE if cue.group("strong") else LICENCE_CONFIDENCE
            yield Candidate("drivers_license", start, start + len(raw), raw, conf, value)
            break


def enhance(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Confidence raised by a supporting word near the span, lowered by a contradicting one."""
    out = []
    for cand in candidates:
        conf = cand.confidence
        cue = _CUES.get(cand.type)
        if (
            cue is not None
            and cand.source != "pattern"
            and near(text, cand.start, cand.end, cue, 30)
        ):
            conf = min(0.95, conf + BOOST)
        after = _AFTER.get(cand.type)
        if after is not None and after.match(text, cand.end):
            conf = max(0.05, conf - PENALTY)
        out.append(cand if conf == cand.confidence else replace(cand, confidence=conf))
    return out
