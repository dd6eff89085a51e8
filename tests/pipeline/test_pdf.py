"""PDF text layer, geometry, encryption, limits and metadata, on real corpus files."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from folio.pipeline import (
    CorruptDocument,
    DocumentKind,
    EmptyDocument,
    OcrMode,
    PageSource,
    PasswordRequired,
    PipelineOptions,
    TooManyPages,
    WrongPassword,
    process_file,
)

from .helpers import RecordingProgress, assert_consistent

OFF = PipelineOptions(ocr=OcrMode.off)
PYPDF = "pypdf_sample_files"
MINIMAL = f"{PYPDF}/001-trivial/minimal-document.pdf"
ENCRYPTED = f"{PYPDF}/005-libreoffice-writer-password/libreoffice-writer-password.pdf"
TEXT_PDFS = [
    MINIMAL,
    f"{PYPDF}/004-pdflatex-4-pages/pdflatex-4-pages.pdf",
    f"{PYPDF}/015-arabic/habibi-rotated.pdf",
    f"{PYPDF}/026-latex-multicolumn/multicolumn.pdf",
    "invoice2data/tests/compare/AmazonWebServices.pdf",
    "invoice2data/tests/compare/QualityHosting.pdf",
    "pdfplumber/tests/pdfs/issue-1054-example.pdf",
    "pdfplumber/tests/pdfs/issue-71-duplicate-chars-2.pdf",
    "olmocr_bench/olmocr/bench/sample_data/pdfs/multi_column_miss.pdf",
]


def rotated_copy(
    source: Path, target: Path, rotate: int, media_box: list[float] | None = None
) -> Path:
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            page.Rotate = rotate
            if media_box is not None:
                page.MediaBox = media_box
        pdf.save(target)
    return target


def _turn(
    box: tuple[float, float, float, float], rotate: int, width: float, height: float
) -> tuple[float, float, float, float]:
    """Where a box of the upright page lands once the page is shown turned clockwise."""
    x0, y0, x1, y1 = box
    return {
        90: (height - y1, x0, height - y0, x1),
        180: (width - x1, height - y1, width - x0, height - y0),
        270: (y0, width - x1, y1, width - x0),
    }[rotate]


class TestTextLayer:
    @pytest.mark.parametrize("relative", TEXT_PDFS)
    def test_results_are_consistent(self, corpus: Path, relative: str) -> None:
        result = process_file(corpus / relative, OFF)
        assert result.kind is DocumentKind.pdf
        assert all(page.source is PageSource.text_layer for page in result.pages)
        assert all(page.unit == "pt" for page in result.pages)
        assert result.metadata.word_count > 0
        assert_consistent(result)

    def test_text_and_line_breaks(self, corpus: Path) -> None:
        page = process_file(corpus / MINIMAL, OFF).pages[0]
        lines = page.text.splitlines()
        assert lines[0] == (
            "Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy eirmod"
        )
        assert len(lines) == 9  # eight lines of text and the page number
        assert lines[2].endswith("no sea takimata")
        assert lines[-1] == "1"
        assert (page.width, page.height) == (595.28, 841.89)

    def test_line_end_hyphen_is_joined(self, corpus: Path) -> None:
        # "taki-" / "mata" across a line break: one word, its box spanning both lines.
        page = process_file(corpus / MINIMAL, OFF).pages[0]
        joined = [word for word in page.words if word.text == "takimata"]
        assert len(joined) == 2
        first_line_height = page.words[0].bbox[3] - page.words[0].bbox[1]
        assert joined[0].bbox[3] - joined[0].bbox[1] > 1.5 * first_line_height
        assert "taki-" not in page.text

    def test_word_boxes_hold_their_words(self, corpus: Path) -> None:
        """PDFium reads back each word's text from inside the word's box."""
        path = corpus / "invoice2data/tests/compare/AmazonWebServices.pdf"
        page = process_file(path, OFF).pages[0]
        pdf = pdfium.PdfDocument(path)
        textpage = pdf[0].get_textpage()
        checked = 0
        for word in page.words[::7]:
            x0, y0, x1, y1 = word.bbox  # rotation 0, origin at 0: flip y back
            inside = textpage.get_text_bounded(x0, page.height - y1, x1, page.height - y0)
            assert word.text in "".join(inside.split()), (word, inside)
            checked += 1
        assert checked > 20
        pdf.close()

    @pytest.mark.parametrize("rotate", [90, 180, 270])
    def test_rotate_gives_displayed_boxes(self, corpus: Path, tmp_path: Path, rotate: int) -> None:
        """/Rotate turns the boxes into the displayed frame (PDFium then orders the lines as
        displayed, so words are matched by text and position, not by order)."""
        invoice = corpus / "invoice2data/tests/compare/AzureInterior.pdf"  # no hyphenation
        upright = process_file(invoice, OFF).pages[0]
        turned_path = rotated_copy(invoice, tmp_path / "turned.pdf", rotate)
        turned = process_file(turned_path, OFF).pages[0]
        assert turned.rotation == rotate
        width, height = upright.width, upright.height
        if rotate in (90, 270):
            assert (turned.width, turned.height) == (height, width)
        expected = sorted(
            (word.text, *_turn(word.bbox, rotate, width, height)) for word in upright.words
        )
        actual = sorted((word.text, *word.bbox) for word in turned.words)
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            assert got[0] == want[0]
            assert got[1:] == pytest.approx(want[1:], abs=0.02)

    def test_media_box_origin_is_subtracted(self, corpus: Path, tmp_path: Path) -> None:
        upright = process_file(corpus / MINIMAL, OFF).pages[0]
        shifted_path = rotated_copy(
            corpus / MINIMAL, tmp_path / "shifted.pdf", 0, [-50, -50, 545.276, 791.89]
        )
        shifted = process_file(shifted_path, OFF).pages[0]
        for before, after in zip(upright.words, shifted.words, strict=True):
            x0, y0, x1, y1 = before.bbox
            assert after.bbox == pytest.approx((x0 + 50, y0 - 50, x1 + 50, y1 - 50), abs=0.02)

    def test_corpus_page_with_rotate_270(self, corpus: Path) -> None:
        result = process_file(corpus / "pdfplumber/tests/pdfs/issue-1054-example.pdf", OFF)
        page = result.pages[0]
        assert page.rotation == 270
        assert page.height > page.width  # a landscape media box, shown upright as portrait
        assert page.text.startswith("HERAUSGEBER:\nBundesministerium des Innern")
        assert_consistent(result)

    def test_progress(self, corpus: Path) -> None:
        progress = RecordingProgress()
        path = corpus / f"{PYPDF}/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
        process_file(path, OFF, progress)
        assert progress.events == [
            ("stage", "extraction"),
            *[("pages", (done, 4)) for done in range(1, 5)],
            ("stage", "analysis"),
        ]


class TestEncryption:
    def test_password_required(self, corpus: Path) -> None:
        with pytest.raises(PasswordRequired) as caught:
            process_file(corpus / ENCRYPTED, OFF)
        assert caught.value.code == "PASSWORD_REQUIRED"

    def test_wrong_password(self, corpus: Path) -> None:
        with pytest.raises(WrongPassword):
            process_file(corpus / ENCRYPTED, PipelineOptions(ocr=OcrMode.off, password="nope"))

    @pytest.mark.parametrize("password", ["openpassword", "permissionpassword"])
    def test_right_password(self, corpus: Path, password: str) -> None:
        options = PipelineOptions(ocr=OcrMode.off, password=password)
        result = process_file(corpus / ENCRYPTED, options)
        assert result.metadata.encrypted
        assert result.metadata.word_count > 0
        assert_consistent(result)

    def test_owner_password_only_opens_without_password(self, corpus: Path, tmp_path: Path) -> None:
        target = tmp_path / "restricted.pdf"
        with pikepdf.open(corpus / MINIMAL) as pdf:
            pdf.save(target, encryption=pikepdf.Encryption(owner="owner", user=""))
        result = process_file(target, OFF)
        assert result.metadata.encrypted
        assert "Lorem ipsum" in result.text


class TestBadInput:
    def test_too_many_pages_before_page_work(self, huge_pdf: Path) -> None:
        progress = RecordingProgress()
        started = time.perf_counter()
        with pytest.raises(TooManyPages) as caught:
            process_file(huge_pdf, PipelineOptions(), progress)
        assert time.perf_counter() - started < 5
        assert "10000" in caught.value.message
        assert not [event for event in progress.events if event[0] == "pages"]

    def test_page_limit_is_configurable(self, corpus: Path) -> None:
        options = PipelineOptions(ocr=OcrMode.off, limits={"max_pages": 3})
        with pytest.raises(TooManyPages):
            process_file(corpus / f"{PYPDF}/004-pdflatex-4-pages/pdflatex-4-pages.pdf", options)

    def test_truncated(self, truncated_pdf: Path) -> None:
        with pytest.raises(CorruptDocument) as caught:
            process_file(truncated_pdf, OFF)
        assert str(truncated_pdf) not in caught.value.message

    def test_empty_file(self, tmp_path: Path) -> None:
        empty = tmp_path / "empty.pdf"
        empty.write_bytes(b"")
        with pytest.raises(EmptyDocument):
            process_file(empty)

    def test_pdf_without_pages(self, tmp_path: Path) -> None:
        target = tmp_path / "nopages.pdf"
        pikepdf.new().save(target)
        with pytest.raises(CorruptDocument):  # PDFium refuses to open a page-less PDF
            process_file(target, OFF)


# files.json records what pypdf reports; where it disagrees with the file's own Info
# dictionary (checked with PDFium and qpdf) the file wins, and the difference is listed here.
FILE_INFO_OVERRIDES: dict[str, dict[str, object]] = {
    "005-libreoffice-writer-password/libreoffice-writer-password.pdf": {
        "producer": "LibreOffice 6.4",
        "creation_date": "2022-04-03T20:35:52",
    },
}
UNREADABLE = {
    # Its page tree has no /Kids: PDFium ("data format error") and qpdf both refuse it.
    "017-unreadable-meta-data/unreadablemetadata.pdf",
}


def pypdf_entries() -> list[dict[str, object]]:
    from .conftest import CORPUS

    listing = CORPUS / PYPDF / "files.json"
    if not listing.is_file():
        return []
    entries = json.loads(listing.read_text())["data"]
    return [entry for entry in entries if (CORPUS / PYPDF / entry["path"]).is_file()]


class TestPypdfSampleFiles:
    @pytest.mark.parametrize("entry", pypdf_entries(), ids=lambda entry: str(entry["path"]))
    def test_metadata_matches_files_json(self, corpus: Path, entry: dict[str, object]) -> None:
        path = corpus / PYPDF / str(entry["path"])
        options = PipelineOptions(ocr=OcrMode.off, password="openpassword")
        if entry["path"] in UNREADABLE:
            with pytest.raises(CorruptDocument):
                process_file(path, options)
            return
        expected = {**entry, **FILE_INFO_OVERRIDES.get(str(entry["path"]), {})}
        metadata = process_file(path, options).metadata
        assert metadata.page_count == expected["pages"]
        assert metadata.encrypted == expected["encrypted"]
        assert metadata.has_forms == bool(expected["forms"])
        assert metadata.producer == expected["producer"]
        if expected["creation_date"] is None:
            return
        # files.json drops or invents zones; the wall-clock time is what both agree on
        assert metadata.created_at is not None
        wanted = datetime.fromisoformat(str(expected["creation_date"])).replace(tzinfo=None)
        assert metadata.created_at.replace(tzinfo=None) == wanted

    def test_every_listed_file_was_checked(self, corpus: Path) -> None:
        listed = json.loads((corpus / PYPDF / "files.json").read_text())["data"]
        present = pypdf_entries()
        missing = {str(entry["path"]) for entry in listed} - {str(e["path"]) for e in present}
        assert missing == {"009-pdflatex-geotopo/GeoTopo.pdf"}  # not copied into the corpus
        assert len(present) >= 30

    def test_attachment(self, corpus: Path) -> None:
        path = corpus / f"{PYPDF}/025-attachment/with-attachment.pdf"
        assert process_file(path, OFF).metadata.has_attachments
        assert not process_file(corpus / MINIMAL, OFF).metadata.has_attachments

    def test_info_dictionary_fields(self, corpus: Path) -> None:
        path = corpus / f"{PYPDF}/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf"
        metadata = process_file(path, OFF).metadata
        assert metadata.title == "Geometrie und Topologie"
        assert metadata.author == "Martin Thoma"
        assert metadata.creator == "LaTeX with hyperref package"
        assert metadata.created_at is not None
        assert metadata.created_at.isoformat() == "2016-12-31T18:43:23+01:00"
        assert metadata.modified_at is not None
        assert metadata.modified_at.isoformat() == "2023-06-23T06:39:33+00:00"
        assert metadata.language == "de"
