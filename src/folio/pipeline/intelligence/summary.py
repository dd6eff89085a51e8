"""``summarize``: extractive summary (TF-IDF sentence scores, position prior, optional focus)."""

from __future__ import annotations

import math
import re
from collections import Counter

from folio.pipeline.intelligence.types import KeyPoint, Summary

LENGTHS = {"short": 2, "medium": 4, "long": 8}
KEY_POINTS = {"short": 3, "medium": 5, "long": 8}
MAX_SENTENCES = 2000
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|\n{2,}|\n(?=[A-Z•\-*])")
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "are",
        "was",
        "were",
        "have",
        "has",
        "had",
        "not",
        "but",
        "you",
        "your",
        "our",
        "their",
        "its",
        "they",
        "them",
        "his",
        "her",
        "she",
        "him",
        "all",
        "any",
        "can",
        "will",
        "shall",
        "may",
        "such",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "there",
        "here",
        "been",
        "being",
        "into",
        "onto",
        "than",
        "then",
        "also",
        "each",
        "other",
        "more",
        "most",
        "some",
        "very",
    ]
)


def split_sentences(text: str) -> list[str]:
    parts = (" ".join(p.split()) for p in _SENTENCE.split(text))
    return [p for p in parts if len(_WORD.findall(p)) >= 3][:MAX_SENTENCES]


def _scores(sentences: list[str], focus: list[str]) -> list[float]:
    tokens = [[w.lower() for w in _WORD.findall(s) if w.lower() not in _STOP] for s in sentences]
    df = Counter(w for t in tokens for w in set(t))
    n = len(sentences)
    focus_words = {w.lower() for f in focus for w in _WORD.findall(f)}
    scores = []
    for index, words in enumerate(tokens):
        tf = Counter(words)
        weight = sum(c * math.log(1 + n / df[w]) for w, c in tf.items()) / math.sqrt(1 + len(words))
        weight *= 1.0 + 0.5 / (1 + index)  # opening sentences tend to carry the topic
        weight *= 1.0 + 1.5 * len(focus_words & set(words))
        scores.append(weight)
    return scores


def summarize(text: str, *, length: str = "medium", focus: list[str] | None = None) -> Summary:
    if length not in LENGTHS:
        raise ValueError(f"length must be one of {', '.join(LENGTHS)}")
    sentences = split_sentences(text)
    if not sentences:
        return Summary(text="", length=length)
    scores = _scores(sentences, focus or [])
    ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
    chosen = sorted(ranked[: LENGTHS[length]])
    top = max(scores) or 1.0
    return Summary(
        text=" ".join(sentences[i] for i in chosen),
        key_points=[
            KeyPoint(text=sentences[i], score=round(scores[i] / top, 3))
            for i in ranked[: KEY_POINTS[length]]
        ],
        length=length,
        sentence_count=len(chosen),
        source_sentence_count=len(sentences),
    )
