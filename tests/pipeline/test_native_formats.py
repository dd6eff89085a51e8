"""Office, text, HTML and e-mail: text read from the format itself (PageSource.native)."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from folio.pipeline import (
    DocumentKind,
    DocumentResult,
    DocumentTooLarge,
    Limits,
    PageSource,
    PipelineOptions,
    TooManyPages,
    process_file,
)
from folio.pipeline.pages import WORDS_PER_NATIVE_PAGE

from .helpers import RecordingProgress, assert_consistent, write


def native(
    path: Path, options: PipelineOptions | None = None, filename: str | None = None
) -> DocumentResult:
    result = process_file(path, options or PipelineOptions(), filename=filename)
    assert {page.source for page in result.pages} == {PageSource.native}
    assert all(page.words == [] for page in result.pages)
    assert result.ocr.pages_ocr == 0
    assert_consistent(result)
    return result


class TestDocx:
    def test_paragraphs_tables_and_properties(self, docx_file: Path) -> None:
        result = native(docx_file)
        assert result.kind is DocumentKind.docx
        assert result.text == (
            "Quarterly report\n"
            "Revenue grew by twelve percent in the third quarter.\n"
            "Region\tQ3\tQ4\n"
            "North\t10\t12\n"
            "Closing paragraph after the table."
        )
        metadata = result.metadata
        assert (metadata.title, metadata.author) == ("Quarterly report", "Ada Lovelace")
        assert metadata.created_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
        assert metadata.word_count == 22
        assert metadata.language == "en"

    def test_zip_bomb_limit(self, docx_file: Path) -> None:
        options = PipelineOptions(limits=Limits(max_unpacked_bytes=10_000))
        with pytest.raises(DocumentTooLarge):
            process_file(docx_file, options)


class TestXlsx:
    def test_one_page_per_sheet(self, xlsx_file: Path) -> None:
        progress = RecordingProgress()
        result = process_file(xlsx_file, progress=progress)
        assert result.kind is DocumentKind.xlsx
        assert [page.text for page in result.pages] == [
            "Item\tQty\tPrice\tDate\nApple\t3\t1.5\t2024-01-02\nPear\t2\t2",
            "Remember the pears",
        ]
        assert (result.metadata.title, result.metadata.author) == ("Fruit book", "Bob")
        assert ("pages", (2, 2)) in progress.events
        assert_consistent(result)

    def test_sheet_limit(self, xlsx_file: Path) -> None:
        with pytest.raises(TooManyPages):
            process_file(xlsx_file, PipelineOptions(limits=Limits(max_pages=1)))


class TestPptx:
    def test_slides_tables_and_notes(self, pptx_file: Path) -> None:
        result = native(pptx_file)
        assert result.kind is DocumentKind.pptx
        assert [page.text for page in result.pages] == [
            "Welcome slide\nFirst point\nSecond point\nSpeaker notes here",
            "Table slide\nA\tB\n1\t2",
        ]
        assert result.metadata.title == "Deck"


class TestText:
    @pytest.mark.parametrize(
        ("encoded", "warned"),
        [
            (codecs.BOM_UTF8 + "Grüße aus Köln, café".encode(), False),
            ("Grüße aus Köln, café".encode("utf-16"), False),
            ("Grüße aus Köln, café".encode("utf-16-le"), False),  # no byte-order mark
            ("Grüße aus Köln, café".encode("cp1252"), True),
        ],
    )
    def test_charsets(self, tmp_path: Path, encoded: bytes, warned: bool) -> None:
        result = native(write(tmp_path, "greeting.txt", encoded))
        assert result.text == "Grüße aus Köln, café"
        assert bool(result.warnings) is warned

    def test_crlf_and_markdown_title(self, tmp_path: Path) -> None:
        path = write(tmp_path, "upload", b"# Release plan\r\n\r\nShip it on Friday.\r\n")
        result = native(path, filename="plan.md")
        assert result.mime_type == "text/markdown"
        assert result.text == "# Release plan\n\nShip it on Friday."
        assert result.metadata.title == "Release plan"

    def test_csv(self, tmp_path: Path) -> None:
        result = native(write(tmp_path, "t.csv", b"name,amount\nalpha,1\n"), filename="t.csv")
        assert result.mime_type == "text/csv"
        assert result.text == "name,amount\nalpha,1"

    def test_long_text_is_paged_by_words(self, tmp_path: Path) -> None:
        line = " ".join(f"word{index}" for index in range(10))
        text = "\n".join([line] * 700)  # 7000 words
        result = native(write(tmp_path, "long.txt", text.encode()))
        assert result.metadata.page_count == 3
        assert result.metadata.word_count == 7000
        assert all(len(p.text.split()) <= WORDS_PER_NATIVE_PAGE for p in result.pages)
        assert "\n".join(page.text for page in result.pages) == text

    def test_single_huge_line_is_cut_between_words(self, tmp_path: Path) -> None:
        text = " ".join(["token"] * 6500)
        result = native(write(tmp_path, "one-line.txt", text.encode()))
        assert [len(page.text.split()) for page in result.pages] == [3000, 3000, 500]

    def test_page_limit(self, tmp_path: Path) -> None:
        path = write(tmp_path, "long.txt", ("word " * 7000).encode())
        with pytest.raises(TooManyPages):
            process_file(path, PipelineOptions(limits=Limits(max_pages=2)))


class TestHtml:
    def test_visible_text_blocks_and_title(self, html_file: Path) -> None:
        result = native(html_file)
        assert result.kind is DocumentKind.html
        assert result.metadata.title == "Release notes"
        assert result.text == (
            "Version 2\nFirst paragraph continues here.\nalpha\nbeta\nKey\tValue\nsize\t42\n"
            "line one\nline two\nTail text\nafter break & more"
        )
        assert "script text" not in result.text

    def test_declared_charset(self, tmp_path: Path) -> None:
        markup = '<meta charset="windows-1251"><p>Привет мир</p>'.encode("windows-1251")
        assert native(write(tmp_path, "ru.html", markup)).text == "Привет мир"


class TestEmail:
    def test_headers_body_and_attachments(self, eml_file: Path) -> None:
        result = native(eml_file)
        assert result.kind is DocumentKind.email
        metadata = result.metadata
        assert metadata.title == "Quarterly résumé"
        assert metadata.author == "Alice Example <alice@example.com>"
        assert metadata.created_at == datetime(
            2024, 1, 2, 10, 30, tzinfo=timezone(timedelta(hours=1))
        )
        assert metadata.has_attachments
        assert result.warnings == ["1 attachment(s) not processed: numbers.pdf"]
        assert result.text.startswith("From: Alice Example <alice@example.com>\nTo: Bob")
        assert result.text.endswith("Hello Bob,\nthe numbers are attached. Café at noon?")

    def test_html_only_body(self, html_eml_file: Path) -> None:
        result = native(html_eml_file)
        assert result.text.endswith("Big news\nCafé opens today.")
        assert not result.metadata.has_attachments
        assert result.metadata.created_at == datetime(2024, 1, 3, 8, 0, tzinfo=UTC)
