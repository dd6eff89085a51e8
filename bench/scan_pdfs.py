"""Scanned pages inside PDFs: read at the scan's own resolution, against reading at 300 dpi.

    python bench/scan_pdfs.py [--dpi 96,200] [--engines tesseract,auto] [--every 3]

Tools that turn images into PDFs give the page a size from a resolution they assume (72 or 96
dpi for many; the scanner's for others). Folio renders such a page at the scan's own
resolution (``formats.pdf.scan_scale``), never finer than ``ocr_dpi``. The baseline, measured
in the same run on the same files, is the page as it would be rendered without that rule: at
``ocr_dpi`` (300) of the page's size, given to ``process_file`` as a PNG (the same OCR path).

Files: every ``--every``-th SROIE receipt photo with its ground-truth transcript, each saved
as a one-page PDF claiming each ``--dpi``. Prints CER (as ``bench/ocr.py`` computes it) and
wall and CPU seconds per page; writes bench/results/scan_pdfs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image

from folio.pipeline import OcrEngineName, PipelineOptions, process_file
from folio.pipeline.formats.pdf import render_scale
from folio.pipeline.types import Limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ocr import CORPUS, REPO, samples, text_scores, warm_up

RESULTS = REPO / "bench" / "results" / "scan_pdfs.json"


def render_at_ocr_dpi(pdf_path: Path, out: Path) -> Path:
    """The page as the 300 dpi rule alone would render it (grey, like the pipeline)."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        scale = render_scale(*pdf[0].get_size(), Limits())
        bitmap = pdf[0].render(scale=scale, grayscale=True, may_draw_forms=False)
        bitmap.to_pil().save(out)
    finally:
        pdf.close()
    return out


def measure(path: Path, truth: str, engine: str) -> dict[str, Any]:
    # a rendered page is mostly white: it compresses beyond the image bomb ratio
    limits = Limits(max_decompression_ratio=1e6)
    options = PipelineOptions(ocr_engine=OcrEngineName(engine), limits=limits)
    wall, cpu = time.perf_counter(), time.process_time()
    result = process_file(path, options)
    row = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
    return row | text_scores(result.text, truth)


def total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    chars = sum(r["chars"] for r in rows)
    return {
        "files": len(rows),
        "cer": round(sum(r["edits"] for r in rows) / max(1, chars), 4),
        "wall_s_per_page": round(sum(r["wall_s"] for r in rows) / len(rows), 3),
        "cpu_s_per_page": round(sum(r["cpu_s"] for r in rows) / len(rows), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", default="96,200", help="resolutions the PDFs claim")
    parser.add_argument("--engines", default="tesseract,auto")
    parser.add_argument("--every", type=int, default=3, help="every n-th receipt")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; set FOLIO_CORPUS", file=sys.stderr)
        return 2
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    receipts = [s for s in samples(quick=False) if s.set == "sroie"][:: args.every]
    warm_up(engines)
    report: dict[str, Any] = {"load_average": os.getloadavg(), "results": {}}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for dpi in (int(d) for d in args.dpi.split(",")):
            rows: dict[str, list[dict[str, Any]]] = {}
            for sample in receipts:
                assert sample.truth is not None
                pdf = folder / f"{sample.path.stem}_{dpi}.pdf"
                Image.open(sample.path).convert("RGB").save(pdf, resolution=dpi)
                at_300 = render_at_ocr_dpi(pdf, folder / f"{sample.path.stem}_{dpi}.png")
                for engine in engines:  # baseline and Folio back to back: the same load
                    for kind, path in (("at_300_dpi", at_300), ("folio", pdf)):
                        rows.setdefault(f"{engine} {kind}", []).append(
                            measure(path, sample.truth, engine)
                        )
            report["results"][f"claims {dpi} dpi"] = {k: total(v) for k, v in rows.items()}
    for claim, systems in report["results"].items():
        print(f"\nPDFs that {claim}")
        print(f"{'reading':24s} {'CER':>7s} {'wall s/page':>12s} {'CPU s/page':>11s}")
        for name, row in systems.items():
            print(f"{name:24s} {row['cer']:7.4f} {row['wall_s_per_page']:12.2f} "
                  f"{row['cpu_s_per_page']:11.2f}")  # fmt: skip
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
