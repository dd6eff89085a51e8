"""Words with boxes from a PDF page's text layer, at close to raw PDFium speed.

The page text comes from one ``FPDFText_GetText`` call; words are the runs of non-whitespace in
it. A word's box is the union of the loose (font-height) boxes of its first and last characters,
which covers the whole word for straight text in any direction and costs two calls per word
instead of one per character. PDFium's own line breaks (and a baseline jump it missed) become
``\\n`` in the page text we build; every other gap becomes one space.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pydantic import TypeAdapter

from folio.pipeline.types import Word

Box = tuple[float, float, float, float]

SOFT_HYPHEN = "\ufffe"  # PDFium's mark for a removable hyphen at the end of a line
_WORD = re.compile(r"\S+")
_CLEAN = str.maketrans(
    {
        **{code: None for code in range(0x20) if chr(code) not in "\t\n\r"},
        0x7F: None,
        0xFFFE: None,  # "taki\ufffemata" -> "takimata": PDFium already joined the halves
        0xFB00: "ff",
        0xFB01: "fi",
        0xFB02: "fl",
        0xFB03: "ffi",
        0xFB04: "ffl",
        0xFB05: "st",
        0xFB06: "st",
    }
)
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufb00-\ufb06\ufffe]")
_MEANINGFUL = re.compile(r"[^\W_]+")
_WORDS = TypeAdapter(list[Word])
ANGLE_SAMPLE = 200
_GARBAGE = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class PageFrame:
    """Maps PDF user space (bottom-left origin) to the displayed page (top-left, rotated)."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int  # clockwise /Rotate: 0, 90, 180 or 270

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> PageFrame:
        left, bottom, right, top = page.get_bbox()
        return cls(left, bottom, right, top, page.get_rotation() % 360)

    @property
    def width(self) -> float:
        unrotated = self.right - self.left
        return unrotated if self.rotation in (0, 180) else self.top - self.bottom

    @property
    def height(self) -> float:
        unrotated = self.top - self.bottom
        return unrotated if self.rotation in (0, 180) else self.right - self.left

    def to_display(self, boxes: np.ndarray) -> list[list[float]]:
        """Rows of (left, bottom, right, top) in user space -> display boxes, rounded to 0.01."""
        u0, u1 = boxes[:, 0] - self.left, boxes[:, 2] - self.left  # unrotated, top-left origin
        v0, v1 = self.top - boxes[:, 3], self.top - boxes[:, 1]
        width, height = self.right - self.left, self.top - self.bottom
        if self.rotation == 90:
            columns = (height - v1, u0, height - v0, u1)
        elif self.rotation == 180:
            columns = (width - u1, height - v1, width - u0, height - v0)
        elif self.rotation == 270:
            columns = (v0, width - u1, v1, width - u0)
        else:
            columns = (u0, v0, u1, v1)
        rounded: list[list[float]] = np.round(np.stack(columns, axis=1), 2).tolist()
        return rounded


@dataclass(frozen=True, slots=True)
class TextLayer:
    raw: str  # PDFium's page text
    text: str  # built from the words
    words: list[Word]


@dataclass(frozen=True, slots=True)
class LayerQuality:
    meaningful_chars: int  # letters and digits
    garbage_chars: int  # replacement, private-use and control characters
    visible_chars: int  # non-whitespace characters

    @property
    def meaningful_share(self) -> float:
        return self.meaningful_chars / self.visible_chars if self.visible_chars else 0.0

    @property
    def garbage_share(self) -> float:
        return self.garbage_chars / self.visible_chars if self.visible_chars else 0.0


def load_textpage(page: pdfium.PdfPage, rotation: int) -> pdfium.PdfTextPage:
    """PDFium's text page, in the reading order that suits the page's text.

    PDFium orders the text of a rotated page as displayed. That is right for landscape pages
    whose text was drawn turned to compensate /Rotate, but it scrambles text that is upright
    on the unrotated page (a page turned in a viewer): such a page is read unrotated.
    """
    textpage = page.get_textpage()
    if rotation == 0 or _dominant_angle(textpage) != 0:
        return textpage
    textpage.close()
    page.set_rotation(0)  # in memory only, for the duration of the text analysis
    try:
        return page.get_textpage()
    finally:
        page.set_rotation(rotation)


def _dominant_angle(textpage: pdfium.PdfTextPage) -> int | None:
    """Most common clockwise text angle (0, 90, 180, 270) among up to 200 characters."""
    handle = textpage.raw
    votes = [0, 0, 0, 0]
    count = textpage.count_chars()
    step = max(1, count // ANGLE_SAMPLE)
    for index in range(0, count, step):
        if chr(pdfium_c.FPDFText_GetUnicode(handle, index)).isspace():
            continue
        radians = pdfium_c.FPDFText_GetCharAngle(handle, index)
        if radians >= 0:
            votes[round(math.degrees(radians) / 90) % 4] += 1
    best = max(range(4), key=votes.__getitem__)
    return best * 90 if votes[best] else None


def read_text_layer(textpage: pdfium.PdfTextPage, frame: PageFrame) -> TextLayer:
    raw = textpage.get_text_range()
    words, text = _words(textpage, raw, frame) if raw else ([], "")
    return TextLayer(raw=raw, text=text, words=words)


def assess(raw: str) -> LayerQuality:
    """Character statistics of a raw text layer, to tell real text from a junk layer."""
    return LayerQuality(
        meaningful_chars=sum(map(len, _MEANINGFUL.findall(raw))),
        garbage_chars=len(_GARBAGE.findall(raw)),
        visible_chars=len("".join(raw.split())),
    )


def _words(textpage: pdfium.PdfTextPage, raw: str, frame: PageFrame) -> tuple[list[Word], str]:
    """Words with display boxes, and the page text built from them (hot loop, kept flat)."""
    scan = _scan_words(textpage, raw)
    if not scan.texts:
        return [], ""
    boxes = frame.to_display(np.array(scan.boxes, dtype=np.float64))
    joined = scan.joined
    records: list[dict[str, object]] = []
    parts: list[str] = []
    offset = 0
    previous_end, previous_box = -1, boxes[0]
    for index, (text, start, end, box) in enumerate(
        zip(scan.texts, scan.spans[0::2], scan.spans[1::2], boxes, strict=True)
    ):
        if previous_end >= 0:
            gap = raw[previous_end:start]
            marked = "\n" in gap or "\r" in gap or (joined and index - 1 in joined)
            parts.append("\n" if marked or _baseline_jump(previous_box, box) else " ")
            offset += 1
        records.append({"text": text, "bbox": box, "start": offset, "end": offset + len(text)})
        parts.append(text)
        offset += len(text)
        previous_end, previous_box = end, box
    return _WORDS.validate_python(records), "".join(parts)


@dataclass(slots=True)
class _Scan:
    texts: list[str]
    spans: list[int]  # flat: start, end of each word in the raw text
    boxes: list[Box]  # user space
    joined: set[int]  # words rejoined across a line-end hyphen: a line break follows them


def _scan_words(textpage: pdfium.PdfTextPage, raw: str) -> _Scan:
    """Words of the raw page text with their user-space boxes.

    This is the hot loop (two FFI calls per word), written for speed over elegance.
    """
    handle = textpage.raw
    aligned = len(raw) == textpage.count_chars()
    needs_cleaning = _NEEDS_CLEANING.search(raw) is not None
    to_char_index = pdfium_c.FPDFText_GetCharIndexFromTextIndex
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    scan = _Scan([], [], [], set())
    texts, spans, boxes = scan.texts, scan.spans, scan.boxes
    hyphenated: set[int] = set()  # words that end with PDFium's line-end hyphen
    for match in _WORD.finditer(raw):
        text = match.group()
        marked = joined = False
        if needs_cleaning:
            marked = text[-1] == SOFT_HYPHEN
            joined = SOFT_HYPHEN in text[:-1]  # PDFium joined the halves itself
            text = text.translate(_CLEAN)
            if not text:
                continue
        start, end = match.span()
        first, last = start, end - 1
        if not aligned:
            first, last = to_char_index(handle, first), to_char_index(handle, last)
        if first < 0 or not loose_box(handle, first, rect):
            continue
        left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        if last > first and loose_box(handle, last, rect):
            other = rect.left, rect.bottom, rect.right, rect.top
            left = other[0] if other[0] < left else left
            bottom = other[1] if other[1] < bottom else bottom
            right = other[2] if other[2] > right else right
            top = other[3] if other[3] > top else top
        if marked:
            hyphenated.add(len(texts))
        if joined:
            scan.joined.add(len(texts))
        texts.append(text)
        spans.append(start)
        spans.append(end)
        boxes.append((left, bottom, right, top))
    return _join_hyphenated(scan, hyphenated) if hyphenated else scan


def _join_hyphenated(scan: _Scan, hyphenated: set[int]) -> _Scan:
    """Join "irretrie-" + "vably" into one word whose box covers both parts."""
    joined = _Scan([], [], [], set())
    index, count = 0, len(scan.texts)
    while index < count:
        text, box = scan.texts[index], scan.boxes[index]
        start, end = scan.spans[2 * index], scan.spans[2 * index + 1]
        step = 1
        if index in hyphenated and index + 1 < count:
            tail = scan.boxes[index + 1]
            text += scan.texts[index + 1]
            end = scan.spans[2 * index + 3]
            box = (
                min(box[0], tail[0]),
                min(box[1], tail[1]),
                max(box[2], tail[2]),
                max(box[3], tail[3]),
            )
            step = 2
        elif index in hyphenated:
            text += "-"  # the page ends mid-word: keep the hyphen
        if step == 2 or index in scan.joined:
            joined.joined.add(len(joined.texts))
        joined.texts.append(text)
        joined.spans += (start, end)
        joined.boxes.append(box)
        index += step
    return joined


def _baseline_jump(previous: Sequence[float], current: Sequence[float]) -> bool:
    """A new line PDFium did not mark: no vertical overlap, and the text moved back left."""
    return (current[1] >= previous[3] or current[3] <= previous[1]) and current[0] < previous[2]
