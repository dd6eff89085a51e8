"""Words in the images of text-layer PDF pages join the page's words (real corpus files)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.fields import apply_template, get_template
from folio.pipeline.fields.exports import write_searchable_pdf
from folio.pipeline.formats.pdf_images import (
    MAX_REGION_ASPECT,
    MAX_REGION_PIXELS,
    MAX_REGIONS_PER_PAGE,
    image_regions,
)
from folio.pipeline.formats.pdf_text import PageFrame, load_textpage, read_text_layer
from folio.pipeline.types import Limits

from .conftest import INVOICES, PHOTOTEST

pytestmark = pytest.mark.ocr

SAECO = INVOICES / "saeco.pdf"  # the seller's legal name is only in a footer image
NO_IMAGES = INVOICES / "free_fiber.pdf"
TESSERACT = PipelineOptions(ocr_engine="tesseract")
OFF = PipelineOptions(ocr=OcrMode.off)


def test_image_words_join_a_text_layer_page(corpus: Path) -> None:
    result = process_file(SAECO, TESSERACT)
    page = result.pages[0]
    assert page.source == "text_layer"
    read = [w for w in page.words if w.confidence is not None]
    assert any(w.text == "e-Luscious" for w in read)
    assert "e-Luscious" in page.text and "Saeco" in page.text  # the layer's text is kept
    footer = next(w for w in read if w.text == "e-Luscious")
    assert footer.bbox[1] > page.height * 0.7  # placed where the footer image is, in points
    assert page.text[footer.start : footer.end] == "e-Luscious"
    assert result.ocr is not None and result.ocr.pages_ocr == 0  # no page was OCR'd


def test_the_legal_name_in_the_image_is_the_issuer(corpus: Path) -> None:
    extraction = apply_template(process_file(SAECO, TESSERACT), get_template("invoice"))
    assert extraction.fields["issuer"].value == "e-Luscious Nederland B.V."


@pytest.mark.parametrize("name", ["saeco.pdf", "AmazonWebServices.pdf"])
def test_image_words_leave_the_text_layer_s_fields_alone(corpus: Path, name: str) -> None:
    """OCR slips are matched only on the lines OCR read: the text layer's labels stay exact."""
    template = get_template("invoice")
    with_images = apply_template(process_file(INVOICES / name, TESSERACT), template).values()
    layer_only = apply_template(process_file(INVOICES / name, OFF), template).values()
    changed = {key for key in with_images if with_images[key] != layer_only[key]}
    # the image adds what the layer lacked (saeco's IBAN) and names the issuer; nothing else
    assert changed <= {"issuer"} | {key for key, value in layer_only.items() if value is None}
    assert with_images["invoice_number"] == layer_only["invoice_number"]


def test_a_pdf_without_images_is_unchanged(corpus: Path) -> None:
    auto = process_file(NO_IMAGES, TESSERACT)
    off = process_file(NO_IMAGES, OFF)
    assert [p.words for p in auto.pages] == [p.words for p in off.pages]
    assert [p.text for p in auto.pages] == [p.text for p in off.pages]


def test_off_mode_reads_no_image(corpus: Path) -> None:
    page = process_file(SAECO, OFF).pages[0]
    assert all(w.confidence is None for w in page.words)
    assert "e-Luscious" not in page.text


def test_an_image_under_a_text_layer_is_not_read_again(corpus: Path, tmp_path: Path) -> None:
    """A scan with an invisible OCR layer over it: the layer is the text, no second OCR."""
    scan = process_file(PHOTOTEST, PipelineOptions())
    searchable = tmp_path / "searchable.pdf"
    write_searchable_pdf(PHOTOTEST, scan, searchable)
    result = process_file(searchable, PipelineOptions())
    assert all(w.confidence is None for p in result.pages for w in p.words)
    assert result.ocr is not None and result.ocr.pages_ocr == 0


def test_cost_is_bounded(corpus: Path) -> None:
    """Few regions per page, each rendered under the pixel cap, even at a high OCR dpi."""
    pdf = pdfium.PdfDocument(SAECO)
    try:
        page = pdf[0]
        frame = PageFrame.of(page)
        textpage = load_textpage(page, frame.rotation)
        words = read_text_layer(textpage, frame).words
        textpage.close()
        regions = image_regions(page, frame, words, Limits(ocr_dpi=1200))
        assert 1 <= len(regions) <= MAX_REGIONS_PER_PAGE
        for region in regions:
            width, height = region.image.size
            assert width * height <= MAX_REGION_PIXELS
            assert max(width, height) <= MAX_REGION_ASPECT * min(width, height) + 1
            assert region.image.mode == "L"
        normal = image_regions(page, frame, words, Limits())
        assert [r.box for r in normal] == [r.box for r in regions]
        assert all(abs(r.scale - 300 / 72) < 0.01 for r in normal)  # the OCR resolution
        footer = max(normal, key=lambda r: (r.box[2] - r.box[0]) / (r.box[3] - r.box[1]))
        drawn = round((footer.box[2] - footer.box[0]) * footer.scale)
        assert abs(footer.image.width - drawn) <= 2  # padded below, not scaled
        assert footer.image.height >= footer.image.width / MAX_REGION_ASPECT
    finally:
        pdf.close()


def test_auto_reads_images_with_tesseract_alone(corpus: Path) -> None:
    """A logo is no reason to load RapidOCR's models (memory, start-up time)."""
    result = process_file(SAECO, PipelineOptions())
    assert any(w.confidence is not None for w in result.pages[0].words)
    assert result.ocr is not None and result.ocr.engine_version is not None
    assert "tesseract" in result.ocr.engine_version
    assert "rapidocr" not in result.ocr.engine_version
