"""Uploads against a real ``folio serve``: latency to processed, concurrency, batches, 100 MB.

    python bench/load_upload.py [--quick]

Each part runs on a fresh server (embedded defaults), driven over loopback from this process:

1. one-page text PDF, one at a time with an idle queue: upload → processed (POST, then
   ``GET /documents/{id}?wait=``), p50/p95. Baseline: raw pypdfium2 opening the same file
   and reading its text, in this process.
2. 100 concurrent uploads of corpus files: errors and accept latency. Baseline: the same
   100 files to a bare FastAPI ``UploadFile`` route on the same uvicorn.
3. a batch of 1,000 files (50 with --quick) in one request: accept time, then time until
   every document is processed. Baseline: the same multipart body to a bare FastAPI route.
4. a 100 MB upload (workers off, so only the API process is measured), its RSS sampled every
   20 ms: peak growth must stay small (the body is streamed to disk, never held in memory).
   Baseline: the bare route's RSS growth for the same file.

Prints a table and writes ``bench/results/load_upload.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pikepdf
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ONE_PAGE_PDF, corpus_files, small_text_pdfs, upload, wait_processed
from _proc import RssSampler, rss_mb, wait_workers_ready
from _server import baseline_process, folio_process

RESULTS = Path(__file__).resolve().parent / "results" / "load_upload.json"
BIG_BYTES = 100 * 1000 * 1000  # under the default 100 MiB limit
UNLIMITED_QUOTAS = json.dumps(
    {"free": {"api_calls": None, "documents_processed": None, "storage_bytes": None}}
)
ENV = {"FOLIO_QUOTA_PLANS": UNLIMITED_QUOTAS}


def pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))], 1)


# ---- 1. one-page PDF, upload → processed ----


def raw_pdfium_ms(path: Path) -> float:
    started = time.perf_counter()
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        page = pdf[index]
        page.get_textpage().get_text_range()
    pdf.close()
    return (time.perf_counter() - started) * 1000


def one_page_latency(runs: int) -> dict:
    with folio_process(workers=1, **ENV) as server:
        headers = {"Authorization": f"Bearer {server.key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            wait_processed(client, [upload(client, ONE_PAGE_PDF).json()["id"]], 120)  # warm-up
            accept, total, processing = [], [], []
            for _ in range(runs):
                time.sleep(0.2)  # an idle queue: the worker is waiting for the next job
                started = time.perf_counter()
                response = upload(client, ONE_PAGE_PDF)
                accepted = time.perf_counter()
                document_id = response.json()["id"]
                document = wait_processed(client, [document_id], 60)[document_id]
                done = time.perf_counter()
                assert document["status"] == "completed", document
                accept.append((accepted - started) * 1000)
                total.append((done - started) * 1000)
                processing.append(float(document["processing_time_ms"] or 0))
    raw = [raw_pdfium_ms(ONE_PAGE_PDF) for _ in range(runs)]
    return {
        "runs": runs,
        "accept_p50_ms": pct(accept, 0.5),
        "accept_p95_ms": pct(accept, 0.95),
        "processed_p50_ms": pct(total, 0.5),
        "processed_p95_ms": pct(total, 0.95),
        "worker_processing_p50_ms": pct(processing, 0.5),
        "baseline_raw_pdfium_p50_ms": round(statistics.median(raw), 2),
    }


# ---- 2. concurrent uploads ----


async def concurrent_uploads(url: str, path: str, headers: dict, files: list[Path]) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=len(files))

    async def one(client: httpx.AsyncClient, file: Path) -> None:
        started = time.perf_counter()
        try:
            response = await client.post(path, files={"file": (file.name, file.read_bytes())})
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1

    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=120, limits=limits
    ) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, file) for file in files))
        elapsed = time.perf_counter() - started
    errors = sum(n for status, n in statuses.items() if status != 202)
    return {
        "uploads": len(files),
        "errors": errors,
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": pct(latencies, 0.5),
        "p95_ms": pct(latencies, 0.95),
        "wall_s": round(elapsed, 2),
    }


def hundred_concurrent(count: int) -> dict:
    files = corpus_files()[:count]
    files = (files * (count // len(files) + 1))[:count]
    with folio_process(workers=1, **ENV) as server:
        headers = {"Authorization": f"Bearer {server.key}"}
        ours = asyncio.run(concurrent_uploads(server.url, "/api/v1/documents", headers, files))
    with baseline_process() as (url, _pid):
        base = asyncio.run(concurrent_uploads(url, "/upload", {}, files))
    return {"folio": ours, "baseline": base}


# ---- 3. a large batch ----


def batch_parts(count: int) -> list[tuple[str, tuple[str, bytes]]]:
    sources = small_text_pdfs()
    contents = [(path.name, path.read_bytes()) for path in sources]
    return [("files", contents[index % len(contents)]) for index in range(count)]


def post_batch(url: str, path: str, headers: dict, parts: list) -> tuple[float, httpx.Response]:
    with httpx.Client(base_url=url, headers=headers, timeout=600) as client:
        started = time.perf_counter()
        response = client.post(path, files=parts)
        return time.perf_counter() - started, response


def batch_settled(url: str, headers: dict, batch_id: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        while time.monotonic() < deadline:
            batch = client.get(f"/api/v1/batches/{batch_id}").json()
            totals = batch["totals"]
            if totals["processed"] >= totals["total"]:
                return totals
            time.sleep(0.5)
    raise TimeoutError(f"batch {batch_id} not processed in {timeout_s} s")


def large_batch(count: int, timeout_s: float) -> dict:
    parts = batch_parts(count)
    with folio_process(workers=2, **ENV) as server:
        wait_workers_ready(server.pid, 2)  # their start-up must not compete with the upload
        headers = {"Authorization": f"Bearer {server.key}"}
        accept_s, response = post_batch(server.url, "/api/v1/batches", headers, parts)
        assert response.status_code == 202, response.text[:500]
        body = response.json()
        started = time.perf_counter()
        totals = batch_settled(server.url, headers, body["id"], timeout_s)
        processed_s = accept_s + time.perf_counter() - started
    with baseline_process() as (url, _pid):
        base_s, base_response = post_batch(url, "/batch", {}, parts)
        assert base_response.status_code == 202, base_response.text[:500]
    return {
        "files": count,
        "accepted": len(body["documents"]),
        "rejected": len(body["rejected"]),
        "accept_s": round(accept_s, 2),
        "all_processed_s": round(processed_s, 1),
        "completed": totals["completed"],
        "failed": totals["failed"],
        "docs_per_s": round(count / processed_s, 1),
        "baseline_accept_s": round(base_s, 2),
    }


# ---- 4. 100 MB upload ----


def big_pdf(folder: Path) -> Path:
    """A valid one-page PDF carrying ~100 MB of incompressible data in an unused stream."""
    path = folder / "big.pdf"
    with pikepdf.open(ONE_PAGE_PDF) as pdf:
        padding = pdf.make_stream(os.urandom(BIG_BYTES - ONE_PAGE_PDF.stat().st_size - 4096))
        pdf.Root.FolioBenchPadding = padding
        pdf.save(path)
    return path


def upload_rss(url: str, path: str, headers: dict, pid: int, file: Path) -> dict:
    before = rss_mb(pid)
    with RssSampler(pid, 0.02) as sampler, file.open("rb") as handle:
        started = time.perf_counter()
        response = httpx.post(
            url + path, headers=headers, files={"file": (file.name, handle)}, timeout=300
        )
        elapsed = time.perf_counter() - started
    return {
        "status": response.status_code,
        "seconds": round(elapsed, 2),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(sampler.peak, 1),
        "rss_growth_mb": round(sampler.peak - before, 1),
        "samples": len(sampler.samples),
    }


def hundred_megabytes() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        file = big_pdf(Path(folder))
        with folio_process(workers=0, **ENV) as server:
            headers = {"Authorization": f"Bearer {server.key}"}
            httpx.get(f"{server.url}/api/v1/documents", headers=headers)  # warm the app up
            ours = upload_rss(server.url, "/api/v1/documents", headers, server.pid, file)
        with baseline_process() as (url, pid):
            httpx.get(f"{url}/items")
            base = upload_rss(url, "/upload", {}, pid, file)
        size_mb = round(file.stat().st_size / 1e6, 1)
    return {"size_mb": size_mb, "folio": ours, "baseline": base}


# ---- report ----


def report(figures: dict) -> None:
    one = figures["one_page"]
    print(f"\n1. one-page text PDF, idle queue, {one['runs']} runs")
    print(
        f"   upload → processed p50 {one['processed_p50_ms']} ms, p95 {one['processed_p95_ms']} "
        f"ms (target < 300); accept p50 {one['accept_p50_ms']} ms, p95 {one['accept_p95_ms']} "
        f"ms; worker processing p50 {one['worker_processing_p50_ms']} ms; "
        f"baseline raw pypdfium2 {one['baseline_raw_pdfium_p50_ms']} ms"
    )
    conc = figures["concurrent"]
    print(f"\n2. {conc['folio']['uploads']} concurrent uploads")
    print(f"   {'':10}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'wall s':>8}")
    for name in ("folio", "baseline"):
        row = conc[name]
        print(
            f"   {name:10}{row['errors']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['wall_s']:>8}"
        )
    ratio = conc["folio"]["wall_s"] / max(conc["baseline"]["wall_s"], 1e-9)
    print(f"   wall-time ratio folio/baseline: {ratio:.1f}")
    batch = figures["batch"]
    print(f"\n3. batch of {batch['files']} files in one request")
    print(
        f"   accepted {batch['accepted']} (rejected {batch['rejected']}) in {batch['accept_s']} s "
        f"(target < 10 s; baseline bare route {batch['baseline_accept_s']} s, ratio "
        f"{batch['accept_s'] / max(batch['baseline_accept_s'], 1e-9):.1f}); all processed in "
        f"{batch['all_processed_s']} s ({batch['docs_per_s']} docs/s, 2 workers, "
        f"{batch['completed']} completed, {batch['failed']} failed)"
    )
    big = figures["upload_100mb"]
    print(f"\n4. {big['size_mb']} MB upload, RSS of the server process")
    print(f"   {'':10}{'status':>7}{'s':>7}{'RSS before':>12}{'peak':>8}{'growth MB':>11}")
    for name in ("folio", "baseline"):
        row = big[name]
        print(
            f"   {name:10}{row['status']:>7}{row['seconds']:>7}{row['rss_before_mb']:>12}"
            f"{row['rss_peak_mb']:>8}{row['rss_growth_mb']:>11}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    figures = {
        "mode": "quick" if args.quick else "full",
        "one_page": one_page_latency(10 if args.quick else 30),
        "concurrent": hundred_concurrent(100),
        "batch": large_batch(50 if args.quick else 1000, 1800),
        "upload_100mb": hundred_megabytes(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
