"""OCR on real scans: accuracy against ground truth, orientation, boxes, engines.

OCR costs about a second a page here, so these tests read a handful of small pages.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from folio.pipeline import (
    DocumentResult,
    Limits,
    OcrEngineName,
    OcrMode,
    PageSource,
    PipelineOptions,
    engines_available,
    process_file,
)
from folio.pipeline.formats.pdf import scan_scale
from folio.pipeline.formats.pdf_text import PageFrame
from folio.pipeline.ocr import bands, rapid, tesseract
from folio.pipeline.ocr.auto import (
    LINE_COST,
    AutoEngine,
    AutoPolicy,
    cheap_to_read,
    reading_cost,
    resolution_of,
)
from folio.pipeline.ocr.session import reduction

from .conftest import CORPUS
from .helpers import assert_consistent, image_pdf, write

pytestmark = pytest.mark.ocr

TESTING = CORPUS / "tesseract_test/testing"
SROIE = CORPUS / "sroie/data"
FAST_PDF = PipelineOptions(limits=Limits(ocr_dpi=150))


def levenshtein(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, char in enumerate(first, start=1):
        current = [row]
        for column, other in enumerate(second, start=1):
            current.append(
                min(previous[column] + 1, current[-1] + 1, previous[column - 1] + (char != other))
            )
        previous = current
    return previous[-1]


def character_error_rate(text: str, truth: str) -> float:
    got, want = " ".join(text.split()), " ".join(truth.split())
    return levenshtein(got, want) / len(want)


def word_recall(text: str, truth: str) -> float:
    found = set(text.split())
    wanted = truth.split()
    return sum(word in found for word in wanted) / len(wanted)


def ocr_engines(result: DocumentResult) -> set[str]:
    return set(result.engine_versions) & {name.value for name in OcrEngineName}


@cache
def ocr(path: Path, engine: OcrEngineName = OcrEngineName.tesseract) -> DocumentResult:
    result = process_file(path, PipelineOptions(ocr_engine=engine))
    assert_consistent(result)
    return result


class TestTesseractAccuracy:
    @pytest.mark.parametrize(("name", "max_cer"), [("phototest", 0.01), ("eurotext", 0.05)])
    def test_against_ground_truth(self, corpus: Path, name: str, max_cer: float) -> None:
        result = ocr(TESTING / f"{name}.tif")
        truth = (TESTING / f"{name}.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= max_cer
        assert word_recall(result.text, truth) >= 0.85  # eng only: some accents are missed
        page = result.pages[0]
        assert page.source is PageSource.ocr
        assert page.unit == "px"
        truth_lines = [line for line in truth.splitlines() if line.strip()]
        assert len(page.text.splitlines()) == len(truth_lines)  # one line per text line

    def test_ocr_info_and_confidences(self, corpus: Path) -> None:
        result = ocr(TESTING / "phototest.tif")
        info = result.ocr
        assert (info.engine, info.pages_ocr) == (OcrEngineName.tesseract, 1)
        assert info.engine_version == engines_available()["tesseract"]["version"]
        words = result.pages[0].words
        assert all(word.confidence is not None and 0 <= word.confidence <= 100 for word in words)
        mean = sum(word.confidence or 0 for word in words) / len(words)
        assert info.mean_confidence == pytest.approx(mean, abs=0.01)
        assert result.pages[0].ocr_confidence == pytest.approx(mean, abs=0.01)
        assert info.mean_confidence > 80
        assert result.engine_versions["tesseract"] == info.engine_version

    def test_word_boxes_sit_on_the_ink(self, corpus: Path) -> None:
        result = ocr(TESTING / "phototest.tif")
        with Image.open(TESTING / "phototest.tif") as scan:
            ink = scan.convert("L")
            for word in result.pages[0].words:
                darkest = ink.crop(tuple(round(v) for v in word.bbox)).getextrema()[0]
                assert darkest < 128, word


class TestOrientation:
    @pytest.mark.parametrize("turn", [90, 180, 270])
    def test_turned_scan_is_read_upright(
        self, phototest: Image.Image, tmp_path: Path, turn: int
    ) -> None:
        """The page turned clockwise by ``turn``: read upright and reported as turned back."""
        path = tmp_path / f"turned-{turn}.png"
        phototest.rotate(-turn, expand=True).save(path)
        result = process_file(path)
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= 0.02
        page = result.pages[0]
        assert page.rotation == (360 - turn) % 360
        assert (page.width, page.height) == (640.0, 480.0)  # the upright frame
        assert_consistent(result)

    def test_exif_orientation_is_applied(self, phototest: Image.Image, tmp_path: Path) -> None:
        exif = Image.Exif()
        exif[0x0112] = 6  # the camera was turned: display after turning 90 degrees clockwise
        path = tmp_path / "camera.jpg"
        phototest.rotate(90, expand=True).convert("RGB").save(path, exif=exif, quality=95)
        result = process_file(path)
        page = result.pages[0]
        assert (page.width, page.height, page.rotation) == (640.0, 480.0, 90)
        assert "quick brown dog" in result.text


class TestScannedPdf:
    def test_auto_mode_reads_a_scan_in_points(self, phototest: Image.Image, tmp_path: Path) -> None:
        # 640 x 480 pixels shown at 72 dpi: one pixel per point
        path = write(tmp_path, "scan.pdf", image_pdf(phototest))
        result = process_file(path, FAST_PDF)
        page = result.pages[0]
        assert (page.source, page.unit, page.width, page.height) == (PageSource.ocr, "pt", 640, 480)
        assert result.ocr.pages_ocr == 1
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= 0.02
        image_words = ocr(TESTING / "phototest.tif", OcrEngineName.auto).pages[0].words
        by_text = {word.text: word.bbox for word in image_words}
        first = page.words[0]
        assert first.bbox == pytest.approx(by_text[first.text], abs=3)
        assert_consistent(result)

    def test_junk_text_layer_is_replaced_by_ocr(
        self, phototest: Image.Image, tmp_path: Path
    ) -> None:
        junk = rb"!#$%&*+,-./:;<=>?@[]^_`{|}~ !#$%&*+,-./:;<=>?@[]^_ ~~ ## $$ %% && ** ++ ,, ab"
        path = write(tmp_path, "junk.pdf", image_pdf(phototest, text_layer=junk))
        off = process_file(path, PipelineOptions(ocr=OcrMode.off))
        assert off.pages[0].source is PageSource.text_layer
        assert off.text.startswith("!#$%&")
        auto = process_file(path, FAST_PDF)
        assert auto.pages[0].source is PageSource.ocr
        assert "quick brown dog" in auto.text

    def test_text_layer_kept_when_ocr_reads_less(self, tmp_path: Path) -> None:
        # Invisible text over a blank page: OCR reads nothing, so the layer stays.
        blank = Image.new("L", (300, 200), 255)
        path = write(tmp_path, "hidden.pdf", image_pdf(blank, text_layer=b"Hello"))
        result = process_file(path, FAST_PDF)
        assert result.pages[0].source is PageSource.text_layer
        assert result.text == "Hello"
        assert result.ocr.pages_ocr == 1

    def test_rotate_compensating_a_sideways_scan(
        self, phototest: Image.Image, tmp_path: Path
    ) -> None:
        # The scan lies sideways in the file and /Rotate 90 shows it upright.
        sideways = phototest.rotate(90, expand=True)
        path = write(tmp_path, "sideways.pdf", image_pdf(sideways, rotate=90))
        page = process_file(path, FAST_PDF).pages[0]
        assert (page.width, page.height, page.rotation) == (640, 480, 90)
        assert "quick brown dog" in page.text

    @pytest.mark.parametrize("dpi", [96, 200])
    def test_a_scan_is_read_at_its_own_resolution(
        self, phototest: Image.Image, tmp_path: Path, dpi: int
    ) -> None:
        # the same pixels, saved as a page of 640/dpi inches: read at 300 dpi, that page would
        # be enlarged; it is read as the scan is, and its boxes are still in points
        path = tmp_path / "scan.pdf"
        phototest.save(path, resolution=dpi)
        result = process_file(path)
        page = result.pages[0]
        assert (page.width, page.height) == pytest.approx((640 * 72 / dpi, 480 * 72 / dpi))
        # 640 x 480 pixels are a small page, RapidOCR's (2000 x 1500 at 300 dpi: Tesseract's)
        assert ocr_engines(result) == {"rapidocr"}
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= 0.02
        image_words = ocr(TESTING / "phototest.tif", OcrEngineName.auto).pages[0].words
        by_text = {word.text: word.bbox for word in image_words}
        first = page.words[0]
        assert [v * dpi / 72 for v in first.bbox] == pytest.approx(by_text[first.text], abs=3)

    def test_scan_scale_is_the_page_images_own(
        self, phototest: Image.Image, tmp_path: Path
    ) -> None:
        saved = tmp_path / "saved.pdf"
        phototest.save(saved, resolution=150)
        hidden = write(tmp_path, "hidden.pdf", image_pdf(phototest, text_layer=b"Hello"))
        assert _scan_scale(saved) == pytest.approx(150 / 72)
        assert _scan_scale(hidden) == pytest.approx(1.0)  # an invisible OCR layer is no text

    def test_a_page_with_visible_text_is_not_a_scan(self, corpus: Path) -> None:
        assert _scan_scale(corpus / "pypdf_sample_files/001-trivial/minimal-document.pdf") is None

    def test_force_mode_reads_a_text_pdf_again(self, corpus: Path) -> None:
        path = corpus / "pypdf_sample_files/001-trivial/minimal-document.pdf"
        text_layer = process_file(path, PipelineOptions(ocr=OcrMode.off))
        forced = process_file(path, PipelineOptions(ocr=OcrMode.force, limits=Limits(ocr_dpi=150)))
        assert forced.pages[0].source is PageSource.ocr
        assert word_recall(forced.text, text_layer.text) >= 0.9
        assert (forced.pages[0].width, forced.pages[0].height) == (595.28, 841.89)


class TestLargeImages:
    def test_images_beyond_an_a4_page_at_300_dpi_are_reduced_to_it(self) -> None:
        assert reduction(2480, 3508) == 1.0  # A4 at 300 dpi
        assert reduction(4032, 3024) == pytest.approx(0.859, abs=0.001)  # a 12 MP phone photo
        assert reduction(4961, 7016) == pytest.approx(0.51, abs=0.01)  # A4 at 600 dpi
        # a known resolution: not below 300 dpi (an A2 drawing scanned at 300 dpi stays)
        assert reduction(4961, 7016, dpi=600) == pytest.approx(0.51, abs=0.01)
        assert reduction(4961, 7016, dpi=300) == 1.0
        assert reduction(9921, 14032, dpi=600) == 0.5

    def test_a_large_image_is_read_reduced_with_boxes_in_its_own_pixels(
        self, phototest: Image.Image, tmp_path: Path
    ) -> None:
        # 6 x 640 x 480 = 11 megapixels: read at 9, reported at full size
        path = tmp_path / "large.png"
        phototest.resize((640 * 6, 480 * 6), Image.Resampling.BICUBIC).save(path)
        page = process_file(path, PipelineOptions(ocr_engine=OcrEngineName.tesseract)).pages[0]
        assert (page.width, page.height) == (640 * 6, 480 * 6)
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(page.text, truth) <= 0.02
        small = ocr(TESTING / "phototest.tif").pages[0].words
        once = {text for text, n in Counter(w.text for w in small + page.words).items() if n == 2}
        by_text = {word.text: word.bbox for word in small if word.text in once}
        shared = [word for word in page.words if word.text in by_text]
        assert len(shared) >= 5
        for word in shared:
            assert [v / 6 for v in word.bbox] == pytest.approx(by_text[word.text], abs=3)


class TestReceiptsAndInvoices:
    @pytest.mark.parametrize("receipt", ["005", "050"])
    def test_sroie_key_fields_are_read(self, corpus: Path, receipt: str) -> None:
        key = json.loads((SROIE / f"key/{receipt}.json").read_text())
        text = ocr(SROIE / f"img/{receipt}.jpg").text
        assert key["total"] in text
        company = key["company"].split()
        assert sum(word in text.upper() for word in company) >= 0.75 * len(company)

    def test_invoice_render(self, corpus: Path) -> None:
        compare = corpus / "invoice2data/tests/compare"
        expected = json.loads((compare / "SammyMaystoneLinesTest.json").read_text())[0]
        text = ocr(compare / "SammyMaystoneLinesTest.png").text
        assert expected["invoice_number"] in text
        assert "Sammy Maystone" in text
        assert "Jan 1, 2022" in text


class TestEngines:
    def test_engines_available(self) -> None:
        engines = engines_available()
        assert engines["tesseract"]["available"] is True
        assert "eng" in engines["tesseract"]["languages"]  # type: ignore[operator]
        assert engines["rapidocr"]["available"] is True
        assert str(engines["rapidocr"]["version"]).startswith("3.")

    def test_rapidocr_reads_a_receipt(self, corpus: Path) -> None:
        result = ocr(SROIE / "img/005.jpg", OcrEngineName.rapidocr)
        assert result.ocr.engine is OcrEngineName.rapidocr
        assert "rapidocr" in result.engine_versions
        assert "31.00" in result.text
        assert "ABC HO TRADING" in result.text
        page = result.pages[0]
        assert result.ocr.mean_confidence is not None and result.ocr.mean_confidence > 80
        # words of one detected line share its height and follow each other left to right
        line = [word for word in page.words if word.text in {"ABC", "HO", "TRADING"}]
        assert [word.text for word in line] == ["ABC", "HO", "TRADING"]
        assert line[0].bbox[2] <= line[1].bbox[0] <= line[1].bbox[2] <= line[2].bbox[0]

    def test_rapidocr_threads_sleep_while_they_wait(self) -> None:
        # spinning threads of two busy workers took each other's cores (bench/ocr_threads.py)
        engine = rapid.load_engine()._engine
        for part in (engine.text_det, engine.text_rec):
            options = part.session.session.get_session_options()
            assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"

    def test_rapidocr_reads_the_lines_it_found_as_in_one_call(self, phototest: Image.Image) -> None:
        """Finding lines and reading them are separate steps (auto decides in between); read
        one after the other they give what one call gives."""
        engine = rapid.load_engine()
        found = engine.detect(phototest)
        assert found.lines == 8  # phototest.tif has eight lines of text
        assert found.line_lengths is not None and 8 < found.line_lengths < 200
        assert reading_cost(found) == pytest.approx(found.line_lengths + LINE_COST * 8)
        assert cheap_to_read(found)
        assert engine.read(found) == engine.recognize(phototest, None)
        blank = engine.detect(Image.new("L", (400, 300), 255))
        assert (blank.lines, blank.line_lengths, engine.read(blank)) == (0, 0.0, [])

    def test_rapidocr_reads_a_two_column_page_column_by_column(self, corpus: Path) -> None:
        """Its columns are half a line height apart: each column reads whole (CER 0.725 when
        rows were read across both columns)."""
        pdf_path = corpus / "pypdf_sample_files/026-latex-multicolumn/multicolumn.pdf"
        truth = pdfium.PdfDocument(pdf_path)[0].get_textpage().get_text_range()
        words = rapid.load_engine().recognize(rendered(pdf_path), 300)
        assert character_error_rate(" ".join(w.text for w in words), truth) <= 0.03  # 0.010

    def test_english_alone_reads_with_the_shipped_fast_model(self, corpus: Path) -> None:
        fast = tesseract.FAST_MODELS
        assert tesseract.text_data_path("eng") == str(fast)
        assert (fast / "eng.traineddata").stat().st_size < 5_000_000  # tessdata_fast, 4 MB
        assert tesseract.text_data_path("eng+deu") == tesseract.data_path()  # mixed: packages
        result = ocr(TESTING / "phototest.tif")
        assert character_error_rate(result.text, (TESTING / "phototest.txt").read_text()) <= 0.01

    def test_missing_language_falls_back_to_english(self, corpus: Path) -> None:
        options = PipelineOptions(languages=("de", "en"))
        result = process_file(TESTING / "phototest.tif", options)
        assert result.warnings == ["OCR language 'de' is not installed; using English instead"]
        assert "quick brown dog" in result.text
        plain = process_file(TESTING / "phototest.tif", PipelineOptions(languages=("en",)))
        assert plain.warnings == []


def _scan_scale(path: Path) -> float | None:
    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        return scan_scale(page, PageFrame.of(page))
    finally:
        pdf.close()


def dense_page(corpus: Path, dpi: int = 300) -> tuple[str, Image.Image]:
    """A LaTeX page full of text, rendered at ``dpi``, and its text layer."""
    pdf = pdfium.PdfDocument(
        corpus / "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
    )
    try:
        page = pdf[0].render(scale=dpi / 72, grayscale=True).to_pil()
        return pdf[0].get_textpage().get_text_range(), page
    finally:
        pdf.close()


def sroie_truth(receipt: str) -> str:
    rows = (SROIE / f"box/{receipt}.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join(row.split(",", 8)[8] for row in rows if row.count(",") >= 8)


def rendered(pdf_path: Path, number: int = 0, dpi: int = 300) -> Image.Image:
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        return pdf[number].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()


class TestTwoReaders:
    """A large page of single-column text is cut across a blank gap and its halves read by two
    Tesseract readers at once (bench/ocr.py: 40 % less time on dense 300 dpi pages)."""

    def test_a_single_column_page_is_cut_in_a_blank_gap_near_its_middle(self, corpus: Path) -> None:
        _, page = dense_page(corpus)
        cut = bands.split_row(page)
        assert cut is not None
        assert 0.3 * page.height < cut < 0.7 * page.height
        row = np.asarray(page)[cut]
        assert row.min() >= bands.INK_LEVEL  # no ink on the cut

    def test_columns_are_never_cut(self, corpus: Path) -> None:
        """Halves of a two-column page would read the top of both columns first."""
        page = rendered(corpus / "pypdf_sample_files/026-latex-multicolumn/multicolumn.pdf")
        assert page.width * page.height >= bands.MIN_SPLIT_PIXELS
        assert bands.split_row(page) is None

    def test_small_pages_are_read_whole(self, phototest: Image.Image) -> None:
        assert bands.split_row(phototest) is None

    def test_halves_read_as_the_whole_page_with_page_boxes(self, corpus: Path) -> None:
        truth, page = dense_page(corpus)
        cut = bands.split_row(page)
        assert cut is not None
        engine = tesseract.load_engine("eng")
        words = engine.recognize(page, 300)
        assert character_error_rate(" ".join(w.text for w in words), truth) <= 0.01
        lines = [word.line for word in words]
        assert lines == sorted(lines)
        below = [word for word in words if word.bbox[1] >= cut]
        above = [word for word in words if word.bbox[3] <= cut]
        assert len(below) > 100 and len(above) > 100 and len(above) + len(below) == len(words)
        assert max(w.line for w in above) < min(w.line for w in below)
        ink = np.asarray(page)
        for word in below[::10]:
            x0, y0, x1, y1 = (round(v) for v in word.bbox)
            assert ink[y0:y1, x0:x1].min() < bands.INK_LEVEL, word  # the box is on its word


class TestAuto:
    """``auto`` (the default) against the single engines' figures from bench/ocr.py."""

    def test_full_page_with_little_text_is_read_by_rapidocr(
        self, corpus: Path, phototest: Image.Image, tmp_path: Path
    ) -> None:
        """A page larger than RapidOCR's cheap size, but with few lines (as a receipt scanned on
        an A4 sheet): RapidOCR's detector finds them and RapidOCR alone reads them."""
        paper = np.random.default_rng(7).integers(235, 256, (3300, 2550), dtype=np.uint8)
        page = Image.fromarray(paper)  # a letter page scanned at 300 dpi
        page.paste(phototest.convert("L"), (300, 300))
        path = tmp_path / "page.png"
        page.save(path)
        result = ocr(path, OcrEngineName.auto)
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= 0.01
        assert result.ocr.engine is OcrEngineName.auto
        assert ocr_engines(result) == {"rapidocr"}
        assert result.ocr.engine_version == f"rapidocr {result.engine_versions['rapidocr']}"

    @pytest.mark.parametrize("states_dpi", [True, False], ids=["dpi", "no-dpi"])
    def test_full_page_dense_clean_scan_stays_with_tesseract(
        self, corpus: Path, tmp_path: Path, states_dpi: bool
    ) -> None:
        """A page full of text, scanned cleanly: Tesseract reads it (quicker there than RapidOCR)
        confidently, and its reading stands: one Tesseract run. A scan that does not state its
        resolution is read at the one its lines imply (Tesseract's own guess split this page's
        lines into columns: character error rate 0.36)."""
        truth, page = dense_page(corpus)
        path = tmp_path / "page.png"
        if states_dpi:
            page.save(path, dpi=(300, 300))
        else:
            page.save(path)  # a PNG export, say: no resolution in it
        result = ocr(path, OcrEngineName.auto)
        assert character_error_rate(result.text, truth) <= 0.02  # measured: 0.002
        assert ocr_engines(result) == {"tesseract"}
        assert result.ocr.engine_version == f"tesseract {result.engine_versions['tesseract']}"

    @pytest.mark.parametrize("dpi", [150, 300])
    def test_a_pages_lines_imply_its_resolution(self, corpus: Path, dpi: int) -> None:
        _, page = dense_page(corpus, dpi)
        implied = resolution_of(rapid.load_engine().detect(page))
        assert implied is not None and 0.75 * dpi <= implied <= 1.33 * dpi

    def test_small_clean_scan_is_read_by_rapidocr_alone(self, corpus: Path) -> None:
        result = ocr(TESTING / "phototest.tif", OcrEngineName.auto)
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(result.text, truth) <= 0.01  # both engines: 0.0
        assert ocr_engines(result) == {"rapidocr"}
        assert result.ocr.engine_version == f"rapidocr {result.engine_versions['rapidocr']}"
        assert_consistent(result)

    def test_receipt_photo_is_read_by_rapidocr_in_order(self, corpus: Path) -> None:
        result = ocr(SROIE / "img/005.jpg", OcrEngineName.auto)
        truth = sroie_truth("005")
        # bench: Tesseract 0.184, RapidOCR 0.051 on this receipt
        assert character_error_rate(result.text.lower(), truth.lower()) <= 0.08
        assert ocr_engines(result) == {"rapidocr"}  # a small page: no Tesseract run
        lines = result.text.upper().splitlines()
        order = ["TAN CHAY YEE", "CASH BILL", "DESCRIPTION", "TOTAL AMOUNT", "CHANGE", "THANK YOU"]
        positions = [next(n for n, line in enumerate(lines) if key in line) for key in order]
        assert positions == sorted(positions)
        assert any(line.split() == ["CHANGE", ":", "70.00"] for line in lines)  # label, amount
        assert_consistent(result)

    def test_tesseract_reads_a_small_page_rapidocr_found_nothing_on(self, tmp_path: Path) -> None:
        path = tmp_path / "shade.jpg"
        Image.linear_gradient("L").resize((400, 300)).save(path)  # ink, but no text
        result = process_file(path, PipelineOptions(ocr_engine=OcrEngineName.auto))
        assert ocr_engines(result) == {"rapidocr", "tesseract"}
        assert_consistent(result)

    @pytest.mark.parametrize("turn", [90, 180, 270])
    def test_turned_receipt_photo_is_read_upright(
        self, corpus: Path, tmp_path: Path, turn: int
    ) -> None:
        """With RapidOCR chosen, its own reading finds the turn (no Tesseract OSD)."""
        path = tmp_path / f"receipt-{turn}.png"
        with Image.open(SROIE / "img/005.jpg") as photo:
            photo.rotate(-turn, expand=True).save(path)
        result = ocr(path, OcrEngineName.rapidocr)
        assert result.pages[0].rotation == (360 - turn) % 360
        assert character_error_rate(result.text.lower(), sroie_truth("005").lower()) <= 0.08
        assert "tesseract" not in result.engine_versions
        assert_consistent(result)

    @pytest.mark.parametrize(
        ("longest", "engines"), [(0.0, {"tesseract"}), (1e9, {"tesseract", "rapidocr"})]
    )
    def test_a_second_opinion_longer_than_the_policy_allows_is_not_asked(
        self, phototest: Image.Image, longest: float, engines: set[str]
    ) -> None:
        """A large page Tesseract reads first (here: whatever its lines) and is unsure of (here:
        trusting no confidence) gets RapidOCR's reading only when its lines are short enough to
        read in the time the policy allows."""
        page = Image.new("L", (2550, 3300), 255)  # a letter page scanned at 300 dpi
        page.paste(phototest, (300, 300))
        policy = AutoPolicy(
            trusted_confidence=101.0,
            rapid_first_max_reading=0.0,
            second_opinion_max_reading=longest,
        )
        engine = AutoEngine(lambda: tesseract.load_engine("eng"), rapid.load_engine, policy)
        words = engine.recognize(page, 300)
        assert {name.value for name in engine.used} == engines
        truth = (TESTING / "phototest.txt").read_text(encoding="utf-8")
        assert character_error_rate(" ".join(word.text for word in words), truth) <= 0.02

    def test_default_engine_is_auto(self) -> None:
        assert PipelineOptions().ocr_engine is OcrEngineName.auto
