"""Turning engine output into words and lines (no engine runs here)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.ocr import OcrOutput, OcrWord
from folio.pipeline.ocr.base import prepare_image
from folio.pipeline.ocr.layout import Placed, reading_order
from folio.pipeline.ocr.rapid import split_line, words_in_reading_order
from folio.pipeline.pages import layout_ocr_words, paginate_text

OFF = PipelineOptions(ocr=OcrMode.off)


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


def _line(x0: float, y0: float, x1: float, text: str, height: float = 10.0) -> Placed[str]:
    return Placed((x0, y0, x1, y0 + height), text)


def test_two_columns_read_one_after_the_other_below_a_full_width_title() -> None:
    title = _line(0, 0, 400, "title")
    left = [_line(0, 20 + 14 * n, 180, f"left {n}") for n in range(4)]
    right = [_line(220, 20 + 14 * n, 400, f"right {n}") for n in range(4)]
    footer = _line(0, 90, 400, "footer")
    rows = reading_order([footer, *right, title, *reversed(left)])
    assert [row[0] for row in rows] == [
        "title",
        *(f"left {n}" for n in range(4)),
        *(f"right {n}" for n in range(4)),
        "footer",
    ]


def test_labels_and_amounts_stay_on_their_rows() -> None:
    """A receipt's narrow label and amount columns are read row by row, as printed."""
    labels = [_line(10, 14 * n, 60, f"label {n}") for n in range(5)]
    amounts = [_line(300, 14 * n + 1, 340, f"{n}.00") for n in range(5)]
    rows = reading_order([*amounts, *labels])
    assert rows == [[f"label {n}", f"{n}.00"] for n in range(5)]


def test_columns_of_a_real_two_column_page_from_word_boxes(corpus: Path) -> None:
    """The words of a two-column article, shuffled: the olmOCR order checks hold."""
    bench = corpus / "olmocr_bench/olmocr/bench/sample_data"
    page = process_file(bench / "pdfs/multi_column_miss.pdf", OFF).pages[0]
    placed = [Placed(word.bbox, word.text) for word in page.words]
    random.Random(16).shuffle(placed)
    text = " ".join(" ".join(row) for row in reading_order(placed))
    checks = [json.loads(line) for line in (bench / "dataset.jsonl").read_text().splitlines()]
    orders = [c for c in checks if c["pdf"] == "multi_column_miss.pdf" and c["type"] == "order"]
    found = 0
    for check in orders:
        before, after = text.find(check["before"][:30]), text.find(check["after"].strip()[:30])
        if before >= 0 and after >= 0:
            assert before < after, check["id"]
            found += 1
    assert found >= 2


def test_detected_lines_half_a_line_apart_are_columns() -> None:
    """RapidOCR's boxes of a LaTeX two-column page: the detector splits each row at the gutter,
    only half a line height wide (26 px at 300 dpi); the left column reads before the right."""
    height = 50.0

    def line(x0: float, x1: float, row: int, text: str) -> tuple[Any, str, float]:
        y0 = 1000.0 + row * height
        quad = ((x0, y0), (x1, y0), (x1, y0 + height), (x0, y0 + height))
        return quad, text, 0.98

    title = [line(643, 1899, -4, "Two-Column Document")]
    left = [line(292, 1258, row, f"left{row}") for row in range(12)]
    right = [line(1284, 2251, row, f"right{row}") for row in range(12)]
    lines = [*title, *left, *right]
    random.Random(3).shuffle(lines)
    words = [word.text for word in words_in_reading_order(lines)]
    assert words == ["Two-Column", "Document"] + [f"left{r}" for r in range(12)] + [
        f"right{r}" for r in range(12)
    ]
