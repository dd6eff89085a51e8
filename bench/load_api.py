"""Mixed authenticated API traffic against a real ``folio serve``, at fixed rates.

    python bench/load_api.py [--quick] [--rates 100,250,500] [--duration 10]

A real server (embedded defaults: SQLite, local pool, rate limiter and usage/audit recording on,
with limits and quotas set so high that every request is counted but none refused) holds
processed documents from the corpus. A separate process (``bench/_openloop.py``) sends an
open-loop mix of four GETs at each fixed rate: list (``/documents``), get
(``/documents/{id}``), status (``/batches/{id}``) and results (``/documents/{id}/results``),
and reports p50/p95/p99 and the error rate per route. The baseline, in the same run and at the
same rates, is a bare FastAPI route on the same uvicorn (``bench/_server.py``). The highest
rate sustained is the highest offered rate whose overall p95 stays under 200 ms with no errors
and no backlog. ``wrk`` then measures the closed-loop peak of both servers
(``bench/wrk/mixed.lua``). Prints a table and writes ``bench/results/load_api.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import small_text_pdfs, upload, wait_processed
from _proc import cpu_seconds
from _server import baseline_process, folio_process

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "load_api.json"
OPEN_LOOP = BENCH / "_openloop.py"
WRK_SCRIPT = BENCH / "wrk" / "mixed.lua"
SUSTAINED_P95_MS = 200.0
UNLIMITED = 10**9
SERVER_ENV = {
    "FOLIO_RATE_LIMIT_ENABLED": "true",
    "FOLIO_RATE_LIMIT_PLANS": json.dumps(
        {"free": {"minute": UNLIMITED, "hour": UNLIMITED, "day": UNLIMITED}}
    ),
    "FOLIO_QUOTA_PLANS": json.dumps(
        {"free": {"api_calls": None, "documents_processed": None, "storage_bytes": None}}
    ),
}


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def summarize(latencies: list[float], errors: int) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "error_rate": round(errors / len(ordered), 4) if ordered else 1.0,
    }


def open_loop(url: str, headers: dict, targets: list, rate: float, duration: float) -> dict:
    host, port = url.removeprefix("http://").split(":")
    config = {
        "host": host,
        "port": int(port),
        "rate": rate,
        "duration_s": duration,
        "headers": headers,
        "targets": targets,
        "max_connections": 256,
        "timeout_s": 10.0,
    }
    done = subprocess.run(
        [sys.executable, str(OPEN_LOOP), json.dumps(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    raw = json.loads(done.stdout)
    routes = {name: summarize(r["latencies_ms"], r["errors"]) for name, r in raw["routes"].items()}
    every = [v for r in raw["routes"].values() for v in r["latencies_ms"]]
    routes["all"] = summarize(every, sum(r["errors"] for r in raw["routes"].values()))
    failures: Counter[str] = Counter()
    for route in raw["routes"].values():
        failures.update(route.get("failures", {}))
    return {
        "offered_rps": rate,
        "achieved_rps": raw["achieved_rps"],
        "failures": dict(failures),  # transport errors by kind (status 0)
        "backlog_s": round(raw["elapsed_s"] - duration, 2),
        "client_max_lag_ms": raw["client_max_lag_ms"],
        "connections": raw["connections"],
        "routes": routes,
    }


def measured(pid: int, url: str, headers: dict, targets: list, rate: float, seconds: float) -> dict:
    """``open_loop`` plus the server's CPU time per request: on a shared machine wall-clock
    latency swings with the neighbours' load, CPU time per request much less."""
    before = cpu_seconds(pid)
    figures = open_loop(url, headers, targets, rate, seconds)
    figures["cpu_ms_per_request"] = round(
        (cpu_seconds(pid) - before) * 1000 / figures["routes"]["all"]["n"], 2
    )
    drain(url)
    return figures


def drain(url: str, timeout_s: float = 60) -> None:
    """Waits until the server answers promptly again: requests the client gave up on are
    still queued in the server and would slow the next step."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{url}/health", timeout=timeout_s)
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.5)


def run_wrk(url: str, paths: list[str], key: str, seconds: int) -> dict | None:
    if shutil.which("wrk") is None:
        print("wrk not found (scripts/install-bench-deps.sh installs it): closed-loop peak skipped")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(paths) + "\n")
    try:
        command = ["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", str(WRK_SCRIPT), url]
        done = subprocess.run(
            [*command, "--", file.name, key],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(file.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def seed(url: str, key: str, documents: int) -> dict[str, list[str]]:
    """Uploads small text PDFs from the corpus (and one batch) and waits until processed."""
    files = small_text_pdfs()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        ids = []
        for index in range(documents):
            response = upload(client, files[index % len(files)])
            response.raise_for_status()
            ids.append(response.json()["id"])
        batch_files = [("files", (p.name, p.read_bytes())) for p in files[:3]]
        batch = client.post("/api/v1/batches", files=batch_files)
        batch.raise_for_status()
        batch_body = batch.json()
        wait_processed(client, ids + [d["id"] for d in batch_body["documents"]], 600)
    return {"documents": ids, "batches": [batch_body["id"]]}


def mixed_targets(seeded: dict[str, list[str]]) -> list[list[str]]:
    targets = []
    for index, document_id in enumerate(seeded["documents"]):
        batch_id = seeded["batches"][index % len(seeded["batches"])]
        targets += [
            ["list", "/api/v1/documents?limit=20"],
            ["get", f"/api/v1/documents/{document_id}"],
            ["status", f"/api/v1/batches/{batch_id}"],
            ["results", f"/api/v1/documents/{document_id}/results"],
        ]
    return targets


def sustained(runs: list[dict]) -> float | None:
    ok = [
        run["offered_rps"]
        for run in runs
        if run["routes"]["all"]["p95_ms"] < SUSTAINED_P95_MS
        and run["routes"]["all"]["error_rate"] == 0
        and run["backlog_s"] < 1.0
    ]
    return max(ok, default=None)


def run(
    rates: list[float], duration: float, documents: int, wrk_seconds: int, env: dict[str, str]
) -> dict:
    figures: dict = {"rates": rates, "duration_s": duration, "folio": [], "baseline": []}
    figures["server_env"] = env
    with (
        baseline_process() as (base_url, base_pid),
        folio_process(workers=1, **{**SERVER_ENV, **env}) as server,
    ):
        started = time.perf_counter()
        seeded = seed(server.url, server.key, documents)
        print(f"seeded {documents} documents in {time.perf_counter() - started:.1f} s")
        targets = mixed_targets(seeded)
        headers = {"Authorization": f"Bearer {server.key}"}
        for rate in rates:  # alternate, so drift in the machine's load hits both alike
            base = measured(base_pid, base_url, {}, [["baseline", "/items"]], rate, duration)
            figures["baseline"].append(base)
            ours = measured(server.pid, server.url, headers, targets, rate, duration)
            figures["folio"].append(ours)
            print(
                f"  {rate:>6.0f} req/s: folio p95 {ours['routes']['all']['p95_ms']} ms, "
                f"baseline p95 {base['routes']['all']['p95_ms']} ms"
            )
        figures["wrk"] = {
            "baseline": run_wrk(base_url, ["/items"], "unused", wrk_seconds),
            "folio": run_wrk(server.url, [path for _, path in targets], server.key, wrk_seconds),
        }
    figures["sustained_rps"] = {
        "folio": sustained(figures["folio"]),
        "baseline": sustained(figures["baseline"]),
    }
    return figures


def report(figures: dict) -> None:
    print(
        f"\n{'rate':>6} {'route':9} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'err %':>6} {'achieved':>8} {'p95/base':>8} {'cpu ms/req':>10}"
    )
    for ours, base in zip(figures["folio"], figures["baseline"], strict=True):
        base_p95 = base["routes"]["all"]["p95_ms"]
        rows = [
            ("baseline", base["routes"]["all"], base),
            *[(name, row, ours) for name, row in sorted(ours["routes"].items()) if name != "all"],
            ("all", ours["routes"]["all"], ours),
        ]
        for name, row, run in rows:
            ratio = row["p95_ms"] / base_p95 if base_p95 else float("nan")
            cpu = run["cpu_ms_per_request"] if name in ("baseline", "all") else ""
            print(
                f"{run['offered_rps']:>6.0f} {name:9} {row['n']:>6} {row['p50_ms']:>8} "
                f"{row['p95_ms']:>8} {row['p99_ms']:>8} {row['error_rate'] * 100:>6.2f} "
                f"{run['achieved_rps']:>8} {ratio:>8.1f} {cpu:>10}"
            )
    cpu_ratios = [
        ours["cpu_ms_per_request"] / max(base["cpu_ms_per_request"], 1e-9)
        for ours, base in zip(figures["folio"], figures["baseline"], strict=True)
    ]
    figures["cpu_per_request_ratio"] = round(sorted(cpu_ratios)[len(cpu_ratios) // 2], 1)
    print(
        f"server CPU per request, folio / baseline (median over rates): "
        f"{figures['cpu_per_request_ratio']}"
    )
    sustained_rates = figures["sustained_rps"]
    print(
        f"highest rate sustained with p95 < {SUSTAINED_P95_MS:.0f} ms (of those tried): "
        f"folio {sustained_rates['folio']}, baseline {sustained_rates['baseline']}"
    )
    wrk = figures.get("wrk") or {}
    if wrk.get("folio") and wrk.get("baseline"):
        ours, base = wrk["folio"], wrk["baseline"]
        print(
            f"wrk closed loop, 16 connections: folio {ours['rps']} req/s (p95 {ours['p95_ms']} "
            f"ms, non-2xx {ours['non_2xx']}), baseline {base['rps']} req/s (p95 "
            f"{base['p95_ms']} ms); throughput ratio {ours['rps'] / base['rps']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rates", help="comma-separated requests per second")
    parser.add_argument("--duration", type=float, help="seconds per rate")
    parser.add_argument(
        "--server-env", action="append", default=[], help="NAME=VALUE for the server (A/B runs)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    default_rates = "25,50,100" if args.quick else "25,50,100,250,500,1000"
    rates = [float(r) for r in (args.rates or default_rates).split(",")]
    duration = args.duration or (5.0 if args.quick else 15.0)
    documents = 10 if args.quick else 40
    env = dict(item.split("=", 1) for item in args.server_env)
    figures = run(rates, duration, documents, wrk_seconds=5 if args.quick else 10, env=env)
    figures["mode"] = "quick" if args.quick else "full"
    figures["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    report(figures)
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
