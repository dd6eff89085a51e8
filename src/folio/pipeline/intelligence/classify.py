"""``classify``: keyword and structure evidence; a confident trained model may override it."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from folio.pipeline.intelligence.rules import COMPILED, COMPILED_SUB
from folio.pipeline.intelligence.types import Alternative, Classification, Complexity, DocumentType
from folio.pipeline.language import detect_language
from folio.pipeline.types import Page, PageSource

if TYPE_CHECKING:
    from folio.pipeline.intelligence.trainable import TrainableClassifier

HEAD_CHARS = 400  # cues in the first lines (titles) count more
HEAD_BOOST = 1.5
MIN_SCORE = 2.5  # below this, "other"
TEMPERATURE = 2.0
MODEL_MIN_CONFIDENCE = 0.6
SHORT_WORDS = 150
_MONEY = re.compile(r"(?:[$€£₹]|\b(?:USD|EUR|GBP|INR|RM)\b)\s?\d|\d[.,]\d{2}\b")
_WORD = re.compile(r"\w+")


def _scores(text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    head = text[:HEAD_CHARS]
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for kind, cues in COMPILED.items():
        total = 0.0
        for pattern, weight in cues:
            found = pattern.search(text)
            if found:
                total += weight * (HEAD_BOOST if pattern.search(head) else 1.0)
                evidence.setdefault(kind, []).append(found.group().strip().lower())
        scores[kind] = total
    if len(_WORD.findall(text)) < SHORT_WORDS and scores["receipt"] > 0:
        scores["receipt"] += 1.0  # till receipts are short; invoices carry terms and addresses
    amounts = len(_MONEY.findall(text))
    if amounts >= 3:  # a column of amounts: a financial document
        for kind in ("invoice", "receipt", "bank_statement", "utility_bill", "payslip"):
            if scores[kind] > 0:
                scores[kind] += 1.0
    return scores, evidence


def _softmax(scores: dict[str, float]) -> list[tuple[str, float]]:
    top = max(scores.values())
    exps = {k: math.exp((v - top) / TEMPERATURE) for k, v in scores.items()}
    total = sum(exps.values())
    return sorted(((k, v / total) for k, v in exps.items()), key=lambda kv: -kv[1])


def sub_category(document_type: str, text: str) -> str | None:
    for pattern, name in COMPILED_SUB.get(document_type, []):
        if pattern.search(text):
            return name
    return None


def complexity(text: str) -> Complexity:
    words = len(_WORD.findall(text))
    sentences = max(1, len(re.findall(r"[.!?](?:\s|$)", text)))
    long_sentences = words / sentences > 25
    if words < 400 and not long_sentences:
        return Complexity.simple
    if words < 3000:
        return Complexity.complex if long_sentences and words > 1500 else Complexity.moderate
    return Complexity.complex


def _language(text: str) -> str | None:
    page = Page(number=1, width=0, height=0, unit="pt", source=PageSource.native, text=text)
    return detect_language([page]).code


def classify_by_rules(text: str) -> tuple[list[tuple[str, float]], list[str]]:
    """Ranked ``(type, confidence)`` pairs from the cues, and the cues behind the best one."""
    scores, evidence = _scores(text)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < MIN_SCORE:
        weak = min(0.9, 0.5 + (MIN_SCORE - scores[best]) / (2 * MIN_SCORE))
        ranked = [(DocumentType.other.value, weak)]
        ranked += [(k, round((1 - weak) * p, 4)) for k, p in _softmax(scores)[:3]]
        return ranked, evidence.get(best, [])
    scores[DocumentType.other.value] = MIN_SCORE
    return _softmax(scores), evidence.get(best, [])


def classify(
    text: str, *, language: str | None = None, model: TrainableClassifier | None = None
) -> Classification:
    ranked, evidence = classify_by_rules(text)
    method = "rules"
    if model is not None:
        label, conf, alternatives = model.predict(text)
        if conf >= MODEL_MIN_CONFIDENCE:
            ranked = [(label, conf), *alternatives]
            method = "model" if ranked[0][0] != classify_by_rules(text)[0][0][0] else "rules+model"
    best, conf = ranked[0]
    return Classification(
        document_type=best,
        confidence=round(conf, 4),
        alternatives=[Alternative(document_type=k, confidence=round(p, 4)) for k, p in ranked[1:4]],
        sub_category=sub_category(best, text),
        language=language or _language(text),
        complexity=complexity(text),
        method=method,
        evidence=evidence[:8],
    )
