"""A detected span before it is placed on a page, and the overlap resolution between detectors."""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from dataclasses import dataclass

CONTEXT_CHARS = 40


@dataclass(frozen=True, slots=True)
class Candidate:
    type: str
    start: int
    end: int
    text: str
    confidence: float
    normalized: str | None = None
    valid_checksum: bool | None = None
    source: str = "pattern"

    @property
    def length(self) -> int:
        return self.end - self.start


def near(text: str, start: int, end: int, words: re.Pattern[str], window: int = 40) -> bool:
    """Whether a cue word occurs within ``window`` characters before or after the span."""
    return bool(words.search(text[max(0, start - window) : start])) or bool(
        words.search(text[end : end + window // 2])
    )


def resolve_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the strongest of overlapping spans: higher confidence first, then the longer one."""
    ranked = sorted(candidates, key=lambda c: (-c.confidence, -c.length, c.start))
    spans: list[tuple[int, int]] = []  # kept (start, end), sorted and disjoint
    kept: list[Candidate] = []
    for cand in ranked:
        index = bisect_left(spans, (cand.start, cand.end))
        before_ok = index == 0 or spans[index - 1][1] <= cand.start
        after_ok = index == len(spans) or spans[index][0] >= cand.end
        if before_ok and after_ok:
            insort(spans, (cand.start, cand.end))
            kept.append(cand)
    return sorted(kept, key=lambda c: (c.start, c.end))


def context_of(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    left = text[max(0, start - chars) : start]
    right = text[end : end + chars]
    return " ".join(f"{left}{text[start:end]}{right}".split())
