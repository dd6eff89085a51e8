"""Cost of one Prometheus scrape of ``GET /metrics``, next to ``GET /health`` in the same run.

A real ``folio serve`` process (one pipeline worker) first gets traffic on a spread of routes
and a few documents processed, so the scrape carries the series a working server has; then
``/health`` (the anchor), ``/metrics`` and ``/health/ready`` are requested one after another,
in alternating rounds, one at a time (a scraper never overlaps itself).

    PYTHONPATH=src .venv/bin/python bench/metrics.py [--quick]

Writes bench/results/metrics.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from _server import folio_process

RESULTS = Path(__file__).resolve().parent / "results" / "metrics.json"
TOKEN = "bench-metrics-token-0123456789abcdef"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
PDF = CORPUS / "pypdf_sample_files" / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
ROUTES = (
    "/api/v1/documents",
    "/api/v1/batches",
    "/api/v1/keys",
    "/api/v1/webhook-endpoints",
    "/api/v1/usage",
    "/api/v1/documents/doc_00000000000000000000000000",
    "/api/v1/no-such-route",
)


def warm_up(client: httpx.Client, documents: int, requests: int) -> None:
    for index in range(requests):
        client.get(ROUTES[index % len(ROUTES)])
    ids = []
    for _ in range(documents):
        response = client.post("/api/v1/documents", files={"file": (PDF.name, PDF.read_bytes())})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    for document_id in ids:
        settled = client.get(f"/api/v1/documents/{document_id}", params={"wait": 60}).json()
        assert settled["status"] == "completed", settled


def timed(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code, response.text[:200])
    return elapsed, len(response.content)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "requests": len(samples),
        "mean_ms": round(statistics.fmean(samples) * 1e3, 2),
        "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1e3, 2),
    }


def measure(quick: bool) -> dict[str, object]:
    rounds, per_round = (5, 20) if quick else (10, 50)
    env = {"FOLIO_METRICS_TOKEN": TOKEN}
    with (
        folio_process(workers=1, **env) as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=120
        ) as client,
    ):
        warm_up(client, documents=2 if quick else 5, requests=200 if quick else 1000)
        token = {"Authorization": f"Bearer {TOKEN}"}
        targets = {"GET /health": ("/health", {}), "GET /metrics": ("/metrics", token)}
        targets["GET /health/ready"] = ("/health/ready", {})
        samples: dict[str, list[float]] = {name: [] for name in targets}
        sizes: dict[str, int] = {}
        for path, headers in targets.values():  # warm
            timed(client, path, headers)
        for _ in range(rounds):
            for name, (path, headers) in targets.items():
                for _ in range(per_round):
                    elapsed, sizes[name] = timed(client, path, headers)
                    samples[name].append(elapsed)
        text = client.get("/metrics", headers=token).text
        series = sum(len(f.samples) for f in text_string_to_metric_families(text))
        files = len(list((server.data_dir / "metrics").glob("*.db")))
    figures: dict[str, object] = {name: summary(values) for name, values in samples.items()}
    anchor = figures["GET /health"]["mean_ms"]  # type: ignore[index]
    scrape = figures["GET /metrics"]["mean_ms"]  # type: ignore[index]
    figures["scrape"] = {
        "body_bytes": sizes["GET /metrics"],
        "samples": series,
        "process_files": files,
        "mean_ms_over_health": round(scrape - anchor, 2),
        "ratio_to_health": round(scrape / anchor, 2),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    figures = measure(parser.parse_args().quick)
    print(json.dumps(figures, indent=2))
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
