"""sniff(): type from the bytes, never from the name."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from folio.pipeline import DocumentKind, sniff
from folio.pipeline.ingest import DOCX, PPTX, XLSX, kind_for_mime

from .helpers import write


class TestSniffCorpus:
    @pytest.mark.parametrize(
        ("relative", "mime", "kind"),
        [
            ("pypdf_sample_files/001-trivial/minimal-document.pdf", "application/pdf", "pdf"),
            ("tesseract_test/testing/phototest.tif", "image/tiff", "image"),
            ("sroie/data/img/005.jpg", "image/jpeg", "image"),
            ("invoice2data/tests/compare/oyo.png", "image/png", "image"),
            ("invoice2data/tests/compare/Orlen.txt", "text/plain", "text"),
        ],
    )
    def test_corpus_types(self, corpus: Path, relative: str, mime: str, kind: str) -> None:
        sniffed = sniff(corpus / relative)
        assert sniffed.mime_type == mime
        assert sniffed.kind == DocumentKind(kind)
        assert not sniffed.extension_mismatch

    def test_pdf_with_junk_before_header(self, corpus: Path) -> None:
        # Ghostscript banner before %PDF-: libmagic says octet-stream, readers accept it.
        sniffed = sniff(corpus / "pdfplumber/tests/pdfs/issue-848.pdf")
        assert sniffed.kind is DocumentKind.pdf


class TestSniffGenerated:
    def test_office_formats_from_zip_directory(
        self, docx_file: Path, xlsx_file: Path, pptx_file: Path
    ) -> None:
        assert sniff(docx_file).mime_type == DOCX
        assert sniff(xlsx_file).mime_type == XLSX
        assert sniff(pptx_file).mime_type == PPTX
        assert [sniff(p).kind for p in (docx_file, xlsx_file, pptx_file)] == [
            DocumentKind.docx,
            DocumentKind.xlsx,
            DocumentKind.pptx,
        ]

    def test_office_file_without_extension(self, docx_file: Path, tmp_path: Path) -> None:
        blob = tmp_path / "blob"
        shutil.copy(docx_file, blob)
        assert sniff(blob).kind is DocumentKind.docx

    def test_html_and_email(self, html_file: Path, eml_file: Path) -> None:
        assert sniff(html_file).kind is DocumentKind.html
        assert sniff(eml_file) == sniff(eml_file, "message.eml")
        assert sniff(eml_file).mime_type == "message/rfc822"

    @pytest.mark.parametrize(
        ("name", "mime"),
        [("notes.txt", "text/plain"), ("notes.md", "text/markdown"), ("table.csv", "text/csv")],
    )
    def test_text_refined_by_extension(self, tmp_path: Path, name: str, mime: str) -> None:
        path = write(tmp_path, "upload", b"alpha,beta\n1,2\n")
        sniffed = sniff(path, name)
        assert (sniffed.mime_type, sniffed.kind) == (mime, DocumentKind.text)

    def test_html_fragment_named_html(self, tmp_path: Path) -> None:
        path = write(tmp_path, "upload", b"<p>Hi</p>")
        assert sniff(path, "page.html").kind is DocumentKind.html


class TestUnsupported:
    def test_plain_zip(self, tmp_path: Path) -> None:
        path = tmp_path / "archive.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
        sniffed = sniff(path)
        assert (sniffed.mime_type, sniffed.kind) == ("application/zip", None)

    def test_executable(self) -> None:
        executable = Path(shutil.which("ls") or "/bin/ls")
        assert sniff(executable).kind is None

    def test_legacy_word_document(self, tmp_path: Path) -> None:
        # An OLE2 compound file header (legacy .doc/.xls): not supported.
        header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
        path = write(tmp_path, "old.doc", header + b"\x00" * 4096)
        assert sniff(path).kind is None

    def test_empty_file(self, tmp_path: Path) -> None:
        assert sniff(write(tmp_path, "empty.pdf", b"")).kind is None


class TestExtensionMismatch:
    def test_png_named_pdf(self, corpus: Path) -> None:
        sniffed = sniff(corpus / "invoice2data/tests/compare/oyo.png", "invoice.pdf")
        assert sniffed.kind is DocumentKind.image
        assert sniffed.extension_mismatch

    def test_pdf_named_docx(self, corpus: Path) -> None:
        path = corpus / "pypdf_sample_files/001-trivial/minimal-document.pdf"
        assert sniff(path, "letter.docx").extension_mismatch

    def test_unknown_extension_is_no_mismatch(self, corpus: Path) -> None:
        path = corpus / "pypdf_sample_files/001-trivial/minimal-document.pdf"
        assert not sniff(path, "scan.bin").extension_mismatch
        assert not sniff(path, "no-extension").extension_mismatch

    def test_text_with_any_text_extension(self, tmp_path: Path) -> None:
        path = write(tmp_path, "upload", b"hello world\n")
        assert not sniff(path, "readme.md").extension_mismatch
        assert sniff(path, "photo.jpg").extension_mismatch


def test_kind_for_mime_accepts_parameters() -> None:
    assert kind_for_mime("text/plain; charset=utf-8") is DocumentKind.text
    assert kind_for_mime("image/x-ms-bmp") is DocumentKind.image
    assert kind_for_mime("application/zip") is None


def test_a_few_bytes_of_text_are_text(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"x")

    assert sniff(path).kind == DocumentKind.text


def test_binary_with_nul_bytes_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"\x7fELF" + b"\x00" * 64)

    assert sniff(path).kind is None
