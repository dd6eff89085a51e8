"""Image input without OCR: decompression bombs, frames, limits, OCR-off behaviour."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from folio.pipeline import (
    DocumentKind,
    ImageTooLarge,
    Limits,
    OcrMode,
    PageSource,
    PipelineOptions,
    TooManyPages,
    process_file,
)

from .helpers import assert_consistent, png_of_zeros, write

OFF = PipelineOptions(ocr=OcrMode.off)


class TestDecompressionBombs:
    def test_declared_pixels_above_limit(self, tmp_path: Path) -> None:
        # 20000 x 20000 of one colour: 400 megapixels in a 48 KB file.
        bomb = write(tmp_path, "bomb.png", png_of_zeros(20_000, 20_000, bit_depth=1))
        assert bomb.stat().st_size < 100_000
        started = time.perf_counter()
        with pytest.raises(ImageTooLarge) as caught:
            process_file(bomb)
        assert time.perf_counter() - started < 2  # refused from the header, never decoded
        assert caught.value.code == "IMAGE_TOO_LARGE"

    def test_compression_ratio_above_limit(self, tmp_path: Path) -> None:
        # 36 megapixels (under the pixel limit) in 35 KB: about 1000 pixels per byte.
        bomb = write(tmp_path, "flat.png", png_of_zeros(6_000, 6_000))
        with pytest.raises(ImageTooLarge, match="pixels per byte"):
            process_file(bomb)

    def test_limits_are_configuration(self, corpus: Path) -> None:
        scan = corpus / "tesseract_test/testing/phototest.tif"
        small = Limits(max_image_pixels=100_000)
        with pytest.raises(ImageTooLarge):
            process_file(scan, PipelineOptions(ocr=OcrMode.off, limits=small))
        # a fax-coded (1-bit) scan counts 8 pixels per byte: about 1 here
        strict = Limits(max_decompression_ratio=0.5)
        with pytest.raises(ImageTooLarge):
            process_file(scan, PipelineOptions(ocr=OcrMode.off, limits=strict))

    @pytest.mark.parametrize(
        "relative",
        [
            "invoice2data/tests/compare/AmazonWebServices.png",
            "aws_idp_public_sector/workshops/industry/public-sector/sample-files/"
            "Utility_Bill_John_Doe.png",
            "sroie/data/img/050.jpg",
        ],
    )
    def test_real_scans_pass_the_default_limits(self, corpus: Path, relative: str) -> None:
        result = process_file(corpus / relative, OFF)
        assert result.kind is DocumentKind.image


class TestFrames:
    def test_multi_page_tiff_without_ocr(self, corpus: Path, tmp_path: Path) -> None:
        testing = corpus / "tesseract_test/testing"
        with (
            Image.open(testing / "phototest.tif") as first,
            Image.open(testing / "eurotext.tif") as second,
        ):
            path = tmp_path / "two.tif"
            first.save(path, save_all=True, append_images=[second], compression="group4")
        result = process_file(path, OFF)
        assert [(page.width, page.height) for page in result.pages] == [
            (640.0, 480.0),
            (1024.0, 800.0),
        ]
        assert all(page.unit == "px" and page.text == "" for page in result.pages)
        assert all(page.source is PageSource.native for page in result.pages)
        assert result.warnings == ["OCR is off: the text of image pages was not read"]
        assert result.ocr.pages_ocr == 0
        assert_consistent(result)

    def test_frame_limit(self, corpus: Path, tmp_path: Path) -> None:
        frames = [Image.new("1", (50, 50), 1) for _ in range(3)]
        path = tmp_path / "three.tif"
        frames[0].save(path, save_all=True, append_images=frames[1:])
        with pytest.raises(TooManyPages):
            process_file(path, PipelineOptions(ocr=OcrMode.off, limits=Limits(max_pages=2)))

    @pytest.mark.parametrize("fmt", ["WEBP", "BMP"])
    def test_other_formats(self, corpus: Path, tmp_path: Path, fmt: str) -> None:
        with Image.open(corpus / "sroie/data/img/005.jpg") as image:
            path = tmp_path / f"receipt.{fmt.lower()}"
            image.save(path, fmt)
        result = process_file(path, OFF)
        assert result.kind is DocumentKind.image
        assert (result.pages[0].width, result.pages[0].height) == (463.0, 605.0)
