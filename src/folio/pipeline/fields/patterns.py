"""Regular expressions from templates, matched with a time limit per match and per apply.

Template patterns are written by users. With the standard ``re`` module a catastrophic one
(``(a|aa)+$``: ReDoS) holds the GIL for minutes and freezes the server; the ``regex`` module
avoids most such backtracking and honours a timeout for the rest. A pattern that runs out of
time matches nothing (a field is not found, a validation rule fails), never blocks.

One match is limited to ``PATTERN_TIMEOUT_S``; inside :func:`regex_budget` all matches
together share a budget too, so a template of many slow patterns cannot add up to minutes:
once it is spent, the next match raises :class:`RegexBudgetExceeded`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import regex

PATTERN_TIMEOUT_S = 0.25
IGNORECASE = regex.IGNORECASE
MULTILINE = regex.MULTILINE
error = regex.error
T = TypeVar("T")


class RegexBudgetExceeded(Exception):
    """The patterns of one apply used up their total time."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(f"The template's regular expressions ran longer than {budget_s:g} s")
        self.budget_s = budget_s

    def __reduce__(self) -> tuple[type[RegexBudgetExceeded], tuple[float]]:
        return (type(self), (self.budget_s,))  # raised in a sandbox process, re-raised here


@dataclass
class _Budget:
    total_s: float
    remaining_s: float


_budget: ContextVar[_Budget | None] = ContextVar("folio_regex_budget", default=None)


@contextmanager
def regex_budget(seconds: float | None) -> Iterator[None]:
    """All matches inside share ``seconds`` of matching time (None: no total limit)."""
    token = _budget.set(None if seconds is None else _Budget(seconds, seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def _timed(call: Callable[[float], T], empty: T) -> T:
    """Runs ``call(timeout)``; a per-match timeout gives ``empty``, a spent budget raises."""
    budget = _budget.get()
    if budget is not None and budget.remaining_s <= 0:
        raise RegexBudgetExceeded(budget.total_s)
    timeout = PATTERN_TIMEOUT_S if budget is None else min(PATTERN_TIMEOUT_S, budget.remaining_s)
    started = time.monotonic()
    try:
        return call(timeout)
    except TimeoutError:
        return empty
    finally:
        if budget is not None:
            budget.remaining_s -= time.monotonic() - started


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    return regex.compile(pattern, flags)


def finditer(pattern: str, text: str, flags: int = 0) -> list[regex.Match[str]]:
    compiled = compile_pattern(pattern, flags)
    return _timed(lambda timeout: list(compiled.finditer(text, timeout=timeout)), [])


def search(pattern: str, text: str, flags: int = 0) -> regex.Match[str] | None:
    compiled = compile_pattern(pattern, flags)
    return _timed(lambda timeout: compiled.search(text, timeout=timeout), None)


def fullmatch(pattern: str, text: str, flags: int = 0) -> regex.Match[str] | None:
    compiled = compile_pattern(pattern, flags)
    return _timed(lambda timeout: compiled.fullmatch(text, timeout=timeout), None)
