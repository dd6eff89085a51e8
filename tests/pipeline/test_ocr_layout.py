"""Turning engine output into words and lines (no engine runs here)."""

from __future__ import annotations

import pytest
from PIL import Image

from folio.pipeline.ocr import OcrOutput, OcrWord
from folio.pipeline.ocr.base import prepare_image
from folio.pipeline.ocr.rapid import split_line, words_in_reading_order
from folio.pipeline.pages import layout_ocr_words, paginate_text


def test_line_split_into_proportional_word_boxes() -> None:
    quad = ((0.0, 10.0), (100.0, 10.0), (100.0, 30.0), (0.0, 30.0))
    words = split_line(quad, "ab cdef  ghij", 90.0, line=3)
    assert [word.text for word in words] == ["ab", "cdef", "ghij"]
    total = len("ab cdef  ghij")
    assert words[0].bbox == pytest.approx((0, 10, 100 * 2 / total, 30))
    assert words[1].bbox == pytest.approx((100 * 3 / total, 10, 100 * 7 / total, 30))
    assert words[2].bbox == pytest.approx((100 * 9 / total, 10, 100, 30))
    assert {(word.confidence, word.line) for word in words} == {(90.0, 3)}


def test_slanted_line_boxes_follow_the_slant() -> None:
    quad = ((0.0, 0.0), (100.0, 20.0), (100.0, 40.0), (0.0, 20.0))
    left, right = split_line(quad, "left right", 99.0, line=0)
    assert left.bbox[1] < right.bbox[1]  # the right word sits lower on a descending line
    assert left.bbox[0] == 0 and right.bbox[2] == 100


def test_lines_on_one_baseline_form_one_row() -> None:
    total = ((300.0, 100.0), (350.0, 100.0), (350.0, 120.0), (300.0, 120.0))
    label = ((10.0, 102.0), (80.0, 102.0), (80.0, 121.0), (10.0, 121.0))
    header = ((10.0, 10.0), (200.0, 10.0), (200.0, 40.0), (10.0, 40.0))
    words = words_in_reading_order(
        [(total, "31.00", 0.99), (label, "TOTAL", 0.98), (header, "SHOP NAME", 0.97)]
    )
    assert [(word.text, word.line) for word in words] == [
        ("SHOP", 0),
        ("NAME", 0),
        ("TOTAL", 1),
        ("31.00", 1),
    ]


def test_layout_joins_words_by_line_and_scales_boxes() -> None:
    output = OcrOutput(
        words=[
            OcrWord("Hello", (0, 0, 50, 10), 90.0, 0),
            OcrWord("world", (60, 0, 110, 10), 80.0, 0),
            OcrWord("again", (0, 20, 50, 30), 70.0, 1),
        ],
        rotation=0,
        width=200,
        height=100,
        confidence=80.0,
    )
    text, words = layout_ocr_words(output, scale=2.0)
    assert text == "Hello world\nagain"
    assert [text[word.start : word.end] for word in words] == ["Hello", "world", "again"]
    assert words[1].bbox == (30.0, 0.0, 55.0, 5.0)


def test_transparent_image_is_flattened_on_white() -> None:
    clear = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    flattened = prepare_image(clear)
    assert flattened.mode == "RGB"
    assert flattened.getpixel((0, 0)) == (255, 255, 255)


def test_paginate_keeps_short_text_whole() -> None:
    assert paginate_text("") == [""]
    assert paginate_text("one line\nsecond line") == ["one line\nsecond line"]
