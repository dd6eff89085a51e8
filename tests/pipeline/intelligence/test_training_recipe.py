"""The entity model's training recipe: the same seed gives the same labelled examples."""

from __future__ import annotations

from itertools import pairwise

import pytest

pytest.importorskip("faker")

from folio.pipeline.intelligence.training.recipe import LABELS, Recipe


def test_same_seed_same_examples_other_seed_other_examples() -> None:
    first = list(Recipe(17).examples(200))
    assert first == list(Recipe(17).examples(200))
    assert first != list(Recipe(5).examples(200))


def test_spans_are_known_labels_on_non_blank_text_without_overlap() -> None:
    for text, spans in Recipe(17).examples(500):
        ordered = sorted((start, end) for start, end, _ in spans)
        assert all(a[1] <= b[0] for a, b in pairwise(ordered))
        for start, end, label in spans:
            assert label in LABELS
            assert 0 <= start < end <= len(text)
            assert text[start:end].strip()
