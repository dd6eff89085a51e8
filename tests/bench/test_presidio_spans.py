"""The PII benchmark's re-implementation of presidio-research's span scoring (bench/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import _presidio_spans as scoring


def spans(text: str, *parts: tuple[str, str]) -> list[scoring.CharSpan]:
    """(value, type) pairs located in ``text``, left to right."""
    out, cursor = [], 0
    for value, kind in parts:
        start = text.index(value, cursor)
        out.append((start, start + len(value), kind))
        cursor = start + len(value)
    return out


def test_an_address_written_as_three_gold_parts_is_found_by_one_prediction() -> None:
    text = "Tosh Olsen lives at 172 Maneeži 75 Apt. 4, Saareküla"
    gold = spans(text, ("172", "LOC"), ("Maneeži 75", "LOC"), ("Apt. 4", "LOC"),
                 ("Saareküla", "LOC"))  # fmt: skip
    pred = spans(text, ("172 Maneeži 75 Apt. 4, Saareküla", "LOC"))
    overall, per_type = scoring.score_sentence(text, gold, pred)
    assert (overall.found, overall.gold, overall.predicted) == (1, 1, 1)
    assert per_type["LOC"].found == 1


def test_skip_words_at_the_ends_do_not_count_against_a_match() -> None:
    text = "Stop at the corner of Botley Road St. and Inna Loop St. please"
    gold = spans(text, ("Botley Road", "LOC"), ("Inna Loop", "LOC"))
    pred = spans(text, ("the corner of Botley Road St. and Inna Loop St.", "LOC"))
    overall, _ = scoring.score_sentence(text, gold, pred)
    assert overall.found == 1


def test_half_a_name_is_a_miss_and_a_false_positive() -> None:
    text = "Yesterday Maria Fernanda Gonzalez called."
    gold = spans(text, ("Maria Fernanda Gonzalez", "PERSON"))
    pred = spans(text, ("Maria", "PERSON"))
    overall, per_type = scoring.score_sentence(text, gold, pred)
    assert (overall.found, overall.gold, overall.predicted) == (0, 1, 1)
    assert per_type["PERSON"].figures()["recall"] == 0.0


def test_two_predictions_together_can_cover_one_gold_span() -> None:
    text = "Send it to 12 Main Street Springfield today"
    gold = spans(text, ("12 Main Street Springfield", "LOC"))
    pred = spans(text, ("12 Main", "LOC"), ("Springfield", "LOC"))
    overall, _ = scoring.score_sentence(text, gold, pred)
    assert overall.found == 1


def test_the_overall_figure_ignores_the_type_and_the_per_type_figure_does_not() -> None:
    text = "She works for Jordan Lake."
    gold = spans(text, ("Jordan Lake", "ORGANIZATION"))
    pred = spans(text, ("Jordan Lake", "PERSON"))
    overall, per_type = scoring.score_sentence(text, gold, pred)
    assert overall.found == 1
    assert per_type["ORGANIZATION"].found == 0
    assert per_type["PERSON"].predicted == 1


def test_separate_places_of_one_type_stay_separate() -> None:
    text = "From Paris we drove to Lyon."
    gold = spans(text, ("Paris", "LOC"), ("Lyon", "LOC"))
    overall, _ = scoring.score_sentence(text, gold, gold)
    assert (overall.found, overall.gold) == (2, 2)
