"""RapidOCR's onnxruntime threads: spinning (onnxruntime's default) against sleeping (Folio's).

    python bench/ocr_threads.py [--receipts 6] [--rounds 2]

Pipeline workers run one per core, and each RapidOCR inference uses every core. Two settings
of the same engine, measured in the same run, alternating:

- ``spinning``: idle onnxruntime threads spin while they wait (its default, RapidOCR's too);
- ``sleeping``: ``session.intra_op.allow_spinning = 0``, what ``folio.pipeline.ocr.rapid``
  sets.

For each: one process reading the receipts alone (one document's latency), and two processes
reading different receipts at once (two workers busy). Prints wall and CPU seconds per receipt;
writes bench/results/ocr_threads.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
RESULTS = REPO / "bench" / "results" / "ocr_threads.json"
CHILD = """
import json, sys, time
from PIL import Image
from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions
from folio.pipeline.ocr import rapid

spinning, files = sys.argv[1] == "spinning", sys.argv[2:]
engine = rapid.load_engine()
if spinning:
    for part, model in ((engine._engine.text_det, rapid.DET_MODEL),
                        (engine._engine.text_rec, rapid.REC_MODEL)):
        options = SessionOptions()  # as rapid._quiet_threads, spinning allowed
        options.log_severity_level = 4
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
        part.session.session = InferenceSession(str(rapid.models_dir() / model),
                                                sess_options=options,
                                                providers=["CPUExecutionProvider"])
images = [Image.open(f).convert("RGB") for f in files]
engine.recognize(images[0], None)
wall, cpu = time.perf_counter(), time.process_time()
for image in images:
    engine.recognize(image, None)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def run(setting: str, groups: list[list[str]]) -> dict[str, float]:
    """Processes reading one group each, started together; seconds per receipt."""
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, setting, *group], stdout=subprocess.PIPE, text=True
        )
        for group in groups
    ]
    outputs = [json.loads(child.communicate()[0]) for child in children]
    receipts = sum(len(group) for group in groups)
    return {
        "elapsed_s_per_receipt": round((time.perf_counter() - started) / receipts, 3),
        "reading_wall_s_per_receipt": round(sum(o["wall"] for o in outputs) / receipts, 3),
        "cpu_s_per_receipt": round(sum(o["cpu"] for o in outputs) / receipts, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=6, help="per process")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    images = sorted(str(p) for p in (CORPUS / "sroie/data/img").glob("*.jpg"))
    if not images:
        print(f"corpus not found at {CORPUS}; set FOLIO_CORPUS", file=sys.stderr)
        return 2
    first, second = images[0::8][: args.receipts], images[1::8][: args.receipts]
    results: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for setting in ("spinning", "sleeping"):
            results.setdefault(f"{setting}, one process", []).append(run(setting, [first]))
            both = run(setting, [first, second])
            results.setdefault(f"{setting}, two processes", []).append(both)
    report: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"{'setting':28s} {'elapsed s/receipt':>18s} {'CPU s/receipt':>14s}")
    for name, rows in results.items():
        mean = {k: round(sum(r[k] for r in rows) / len(rows), 3) for k in rows[0]}
        report[name] = mean | {"rounds": rows}
        print(f"{name:28s} {mean['elapsed_s_per_receipt']:18.3f} {mean['cpu_s_per_receipt']:14.3f}")
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
