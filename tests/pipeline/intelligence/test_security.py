"""Security scan on PDFs built with pikepdf, an EICAR file, an OLE file with VBA code, archives."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from msoffcrypto.method.container.ecma376_encrypted import ECMA376Encrypted

from folio.pipeline.intelligence import scan_security
from folio.pipeline.intelligence.security import EICAR
from folio.pipeline.intelligence.types import RiskLevel

PDF = "application/pdf"


Builder = Callable[[pikepdf.Pdf], None]


def _pdf(tmp_path: Path, name: str, build: Builder) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    build(pdf)
    path = tmp_path / name
    pdf.save(path)
    return path


def _js(pdf: pikepdf.Pdf) -> None:
    action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.Root.OpenAction = action


def _launch(pdf: pikepdf.Pdf) -> None:
    action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    pdf.pages[0].obj.AA = pdf.make_indirect(pikepdf.Dictionary(O=pdf.make_indirect(action)))


def _attachment(pdf: pikepdf.Pdf) -> None:
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ fake payload", filename="run.exe")
    pdf.attachments["run.exe"] = spec


def _xfa(pdf: pikepdf.Pdf) -> None:
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pikepdf.Array())


def _link_js(pdf: pikepdf.Pdf) -> None:
    """JavaScript in an inline action of an inline link annotation."""
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="this.print()")
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, A=action,
                              Rect=pikepdf.Array([0, 0, 10, 10]))  # fmt: skip
    pdf.pages[0].obj.Annots = pikepdf.Array([link])


def _vba_ole(tmp_path: Path) -> Path:
    """An OLE compound file whose stream holds MS-OVBA-compressed VBA source (literal tokens).

    No Office is needed: the container is written by msoffcrypto-tool's CFB writer, and olevba
    finds compressed VBA code in any stream of an OLE file."""
    source = b'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\nShell "calc.exe"\r\nEnd Sub\r\n'
    body = b"".join(b"\x00" + source[i : i + 8] for i in range(0, len(source), 8))
    container = b"\x01" + struct.pack("<H", (len(body) + 2 - 3) | 0xB000) + body
    buffer = io.BytesIO()
    package = (b"\x00" * 64 + container).ljust(8192, b"\x00")  # the writer wants >= 4 KiB
    ECMA376Encrypted(encryptedPackage=package, encryptionInfo=b"\x00" * 64).write_to(buffer)
    path = tmp_path / "macro.doc"
    path.write_bytes(buffer.getvalue())
    return path


class TestPdf:
    @pytest.mark.parametrize(
        ("build", "codes"),
        [
            (_js, {"PDF_JAVASCRIPT", "PDF_OPEN_ACTION"}),
            (_launch, {"PDF_LAUNCH", "PDF_ADDITIONAL_ACTIONS"}),
            (_attachment, {"PDF_EMBEDDED_FILE"}),
            (_xfa, {"PDF_XFA"}),
            (_link_js, {"PDF_JAVASCRIPT"}),
        ],
    )
    def test_active_content(self, tmp_path: Path, build: Builder, codes: set[str]) -> None:
        report = scan_security(_pdf(tmp_path, "active.pdf", build), PDF)
        assert codes <= {t.code for t in report.threats}
        assert report.risk_level != RiskLevel.none

    def test_launch_is_critical(self, tmp_path: Path) -> None:
        assert scan_security(_pdf(tmp_path, "l.pdf", _launch), PDF).risk_level == RiskLevel.critical

    def test_clean_corpus_pdf(self, corpus: Path) -> None:
        report = scan_security(corpus / "invoice2data/tests/compare/AmazonWebServices.pdf", PDF)
        assert report.threats == [] and report.risk_level == RiskLevel.none
        assert "pdf" in report.scanned

    def test_every_corpus_pdf_scans_without_error(self, corpus: Path) -> None:
        reports = {p.name: scan_security(p, PDF) for p in sorted(corpus.rglob("*.pdf"))}
        assert len(reports) > 50
        flagged = {name for name, r in reports.items() if r.risk_level != RiskLevel.none}
        assert "with-attachment.pdf" in flagged
        assert len(flagged) <= 8  # ordinary documents are not threats

    def test_open_action_that_only_shows_a_page_is_benign(self, tmp_path: Path) -> None:
        def go_to(pdf: pikepdf.Pdf) -> None:
            pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])

        assert scan_security(_pdf(tmp_path, "goto.pdf", go_to), PDF).threats == []

    def test_corpus_attachment_and_encryption(self, corpus: Path) -> None:
        folder = corpus / "pypdf_sample_files"
        attached = scan_security(folder / "025-attachment/with-attachment.pdf", PDF)
        assert attached.has_embedded_files
        locked = scan_security(
            folder / "005-libreoffice-writer-password/libreoffice-writer-password.pdf", PDF
        )
        assert locked.encrypted


class TestOtherFiles:
    def test_eicar(self, tmp_path: Path) -> None:
        path = tmp_path / "eicar.txt"
        path.write_bytes(EICAR + b"\n")
        report = scan_security(path, "text/plain")
        assert [t.code for t in report.threats] == ["EICAR_TEST_FILE"]
        assert report.risk_level == RiskLevel.critical

    def test_office_macro(self, tmp_path: Path) -> None:
        report = scan_security(_vba_ole(tmp_path), "application/msword")
        assert report.has_macros
        assert "OFFICE_MACRO" in {t.code for t in report.threats}
        assert report.risk_level in {RiskLevel.medium, RiskLevel.high}

    def test_plain_docx_has_no_macros(self, tmp_path: Path) -> None:
        import docx

        path = tmp_path / "plain.docx"
        document = docx.Document()
        document.add_paragraph("Nothing active here.")
        document.save(str(path))
        report = scan_security(
            path, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert not report.has_macros and report.risk_level == RiskLevel.none
        assert report.compression_ratio is not None

    @pytest.mark.parametrize("data", [b"", b"PK\x03\x04 damaged", b"\xd0\xcf\x11\xe0 damaged"])
    def test_damaged_office_files_are_not_macros(self, tmp_path: Path, data: bytes) -> None:
        path = tmp_path / "damaged.doc"
        path.write_bytes(data)
        report = scan_security(path, "application/msword")
        assert not report.has_macros and "OFFICE_MACRO" not in {t.code for t in report.threats}

    def test_archive_ratio_and_mismatch(self, tmp_path: Path) -> None:
        path = tmp_path / "bomb.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("zeros.bin", b"\x00" * 20_000_000)
        report = scan_security(path, "application/zip", extension_mismatch=True)
        assert {"ARCHIVE_RATIO", "EXTENSION_MISMATCH"} <= {t.code for t in report.threats}
        assert report.compression_ratio and report.compression_ratio > 100
