"""Soak: 1,000 documents through one worker process; memory, descriptors and temp files.

    python bench/soak.py [--quick]      (--quick: 100 documents)

A real ``folio serve`` with one worker, never recycled (``FOLIO_WORKER_MAX_JOBS`` and
``FOLIO_WORKER_MAX_RSS_MB`` set out of reach: recycling is how production bounds a leak, and
here it would hide one). Small text PDFs from the corpus go in as batches of 100; the worker's
RSS is sampled as documents complete and read at the start (5 % done, once models are loaded),
the middle (50 %) and the end. Drift = end / start - 1, target < 10 %. Open descriptors of the
server and the worker, and files left in the server's temp folder (its own ``TMPDIR``) and in
the blob store's temp folder, are compared at start and end. Baseline in the same run: raw
pypdfium2 (open, text of every page, close) over the same file sequence in a fresh process,
with the same RSS readings. Prints a table and writes ``bench/results/soak.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import small_text_pdfs
from _proc import open_fds, rss_mb, wait_workers_ready, worker_pids
from _server import folio_process

RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"
BATCH = 100
MARKS = {"start": 0.05, "middle": 0.5, "end": 1.0}
UNLIMITED = json.dumps(
    {"free": {"api_calls": None, "documents_processed": None, "storage_bytes": None}}
)
BASELINE = """
import json, os, sys
import pypdfium2 as pdfium
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
paths = json.loads(sys.argv[1]); marks = json.loads(sys.argv[2]); out = {}
fds = len(os.listdir("/proc/self/fd"))
for done, path in enumerate(paths, 1):
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        pdf[index].get_textpage().get_text_range()
    pdf.close()
    for name, fraction in marks.items():
        if name not in out and done >= fraction * len(paths):
            out[name] = rss()
out["fds_start"], out["fds_end"] = fds, len(os.listdir("/proc/self/fd"))
print(json.dumps(out))
"""


def file_sequence(count: int) -> list[Path]:
    sources = small_text_pdfs()
    return [sources[index % len(sources)] for index in range(count)]


def folder_entries(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*")) if folder.exists() else 0


def processed(client: httpx.Client, batch_ids: list[str]) -> tuple[int, int]:
    done = failed = 0
    for batch_id in batch_ids:
        totals = client.get(f"/api/v1/batches/{batch_id}").json()["totals"]
        done += totals["processed"]
        failed += totals["failed"]
    return done, failed


def soak(count: int, timeout_s: float) -> dict:
    files = file_sequence(count)
    with tempfile.TemporaryDirectory() as private_tmp:
        env = {
            "FOLIO_WORKER_MAX_JOBS": str(10**9),
            "FOLIO_WORKER_MAX_RSS_MB": str(10**6),
            "FOLIO_QUOTA_PLANS": UNLIMITED,
            "TMPDIR": private_tmp,
        }
        with folio_process(workers=1, **env) as server:
            (worker,) = wait_workers_ready(server.pid, 1)
            blob_tmp = server.data_dir / "blobs" / ".tmp"
            headers = {"Authorization": f"Bearer {server.key}"}
            readings: dict[str, dict[str, float]] = {}
            samples: list[tuple[int, float]] = []
            started = time.perf_counter()
            with httpx.Client(base_url=server.url, headers=headers, timeout=300) as client:
                batch_ids = []
                for first in range(0, count, BATCH):
                    parts = [
                        ("files", (p.name, p.read_bytes())) for p in files[first : first + BATCH]
                    ]
                    response = client.post("/api/v1/batches", files=parts)
                    response.raise_for_status()
                    batch_ids.append(response.json()["id"])
                while True:
                    done, failed = processed(client, batch_ids)
                    rss = rss_mb(worker)
                    samples.append((done, rss))
                    for name, fraction in MARKS.items():
                        if name not in readings and done >= fraction * count:
                            readings[name] = {
                                "documents": done,
                                "worker_rss_mb": round(rss, 1),
                                "server_rss_mb": round(rss_mb(server.pid), 1),
                                "server_fds": open_fds(server.pid),
                                "worker_fds": open_fds(worker),
                                "temp_files": folder_entries(Path(private_tmp))
                                + folder_entries(blob_tmp),
                            }
                    if done >= count:
                        break
                    if time.perf_counter() - started > timeout_s:
                        raise TimeoutError(f"{done} of {count} processed in {timeout_s} s")
                    time.sleep(0.5)
            elapsed = time.perf_counter() - started
            same_worker = worker_pids(server.pid) == [worker]
    start, end = readings["start"], readings["end"]
    return {
        "documents": count,
        "failed": failed,
        "seconds": round(elapsed, 1),
        "docs_per_s": round(count / elapsed, 2),
        "same_worker_process": same_worker,
        "readings": readings,
        "worker_rss_drift": round(end["worker_rss_mb"] / start["worker_rss_mb"] - 1, 4),
        "server_fds_delta": end["server_fds"] - start["server_fds"],
        "worker_fds_delta": end["worker_fds"] - start["worker_fds"],
        "temp_files_left": end["temp_files"],
        "rss_samples": samples[:: max(1, len(samples) // 50)],
    }


def baseline(count: int) -> dict:
    paths = [str(p) for p in file_sequence(count)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BASELINE, json.dumps(paths), json.dumps(MARKS)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    out = json.loads(done.stdout)
    return {
        "seconds": round(elapsed, 2),
        "docs_per_s": round(count / elapsed, 1),
        "rss_mb": {name: round(out[name], 1) for name in MARKS},
        "rss_drift": round(out["end"] / out["start"] - 1, 4),
        "fds_delta": out["fds_end"] - out["fds_start"],
    }


def report(figures: dict) -> None:
    ours, base = figures["folio"], figures["baseline"]
    print(f"\nsoak: {ours['documents']} documents through one worker ({ours['seconds']} s)")
    print(f"{'':22}{'start':>9}{'middle':>9}{'end':>9}{'drift':>9}{'docs/s':>8}{'fds Δ':>7}")
    worker_rss = [ours["readings"][name]["worker_rss_mb"] for name in MARKS]
    print(
        f"{'folio worker RSS MB':22}{worker_rss[0]:>9}{worker_rss[1]:>9}{worker_rss[2]:>9}"
        f"{ours['worker_rss_drift'] * 100:>8.1f}%{ours['docs_per_s']:>8}"
        f"{ours['worker_fds_delta']:>7}"
    )
    server_rss = [ours["readings"][name]["server_rss_mb"] for name in MARKS]
    print(
        f"{'folio server RSS MB':22}{server_rss[0]:>9}{server_rss[1]:>9}{server_rss[2]:>9}"
        f"{(server_rss[2] / server_rss[0] - 1) * 100:>8.1f}%{'':>8}{ours['server_fds_delta']:>7}"
    )
    rss = base["rss_mb"]
    print(
        f"{'baseline raw pypdfium2':22}{rss['start']:>9}{rss['middle']:>9}{rss['end']:>9}"
        f"{base['rss_drift'] * 100:>8.1f}%{base['docs_per_s']:>8}{base['fds_delta']:>7}"
    )
    print(
        f"failed {ours['failed']}; same worker process throughout: {ours['same_worker_process']}"
        f"; temp files left: {ours['temp_files_left']}; worker drift target < 10 %: "
        f"{'met' if abs(ours['worker_rss_drift']) < 0.10 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int)
    args = parser.parse_args()
    count = args.documents or (100 if args.quick else 1000)
    figures = {
        "mode": "quick" if args.quick else "full",
        "folio": soak(count, timeout_s=3600),
        "baseline": baseline(count),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
