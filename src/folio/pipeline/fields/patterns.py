"""Regular expressions from templates, matched with a time budget.

Template patterns are written by users. With the standard ``re`` module a catastrophic one
(``(a|aa)+$``: ReDoS) holds the GIL for minutes and freezes the server; the ``regex`` module
avoids most such backtracking and honours a timeout for the rest. A pattern that runs out of
time matches nothing (a field is not found, a validation rule fails), never blocks.
"""

from __future__ import annotations

from functools import lru_cache

import regex

PATTERN_TIMEOUT_S = 0.25
IGNORECASE = regex.IGNORECASE
MULTILINE = regex.MULTILINE
error = regex.error


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    return regex.compile(pattern, flags)


def finditer(pattern: str, text: str, flags: int = 0) -> list[regex.Match[str]]:
    try:
        return list(compile_pattern(pattern, flags).finditer(text, timeout=PATTERN_TIMEOUT_S))
    except TimeoutError:
        return []


def search(pattern: str, text: str, flags: int = 0) -> regex.Match[str] | None:
    try:
        return compile_pattern(pattern, flags).search(text, timeout=PATTERN_TIMEOUT_S)
    except TimeoutError:
        return None


def fullmatch(pattern: str, text: str, flags: int = 0) -> regex.Match[str] | None:
    try:
        return compile_pattern(pattern, flags).fullmatch(text, timeout=PATTERN_TIMEOUT_S)
    except TimeoutError:
        return None
