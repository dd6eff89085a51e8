"""Export throughput through the API: N stored sale-deed extractions exported as Excel
(Sale_Deeds sheet), CSV and NDJSON, plus the time to apply the ``sale_deed`` template.

    python bench/exports.py [--documents 5000]

A synthetic deed (tests/pipeline/fields/sale_deeds.py, rendered to PDF) is processed and
extracted once; its values are stored for N documents of one team in a fresh SQLite database,
then each format is downloaded in full through the real app (ASGI, no network). Prints the
figures and writes bench/results/exports.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.pipeline.fields.sale_deeds import DEEDS, render_deed_pdf  # noqa: E402

from folio.app import create_app  # noqa: E402
from folio.config import Settings  # noqa: E402
from folio.core.ids import IdPrefix, new_id  # noqa: E402
from folio.documents.models import Document, DocumentStatus  # noqa: E402
from folio.pipeline import PipelineOptions, process_file  # noqa: E402
from folio.pipeline.fields import apply_template, get_template  # noqa: E402
from folio.templates.models import Extraction  # noqa: E402

RESULTS = REPO / "bench" / "results" / "exports.json"
APPLY_ROUNDS = 20


def deed_values(folder: Path) -> tuple[dict[str, Any], float]:
    result = process_file(render_deed_pdf(DEEDS[0], folder / "deed.pdf"), PipelineOptions())
    template = get_template("sale_deed")
    started = time.perf_counter()
    for _ in range(APPLY_ROUNDS):
        extraction = apply_template(result, template)
    apply_ms = (time.perf_counter() - started) / APPLY_ROUNDS * 1000
    fields = extraction.model_dump(mode="json")["fields"]
    return {name: field["value"] for name, field in fields.items()}, apply_ms


async def store(app: Any, team_id: str, values: dict[str, Any], count: int) -> None:
    async with app.state.runtime.db.session() as session:
        for number in range(count):
            document_id = new_id(IdPrefix.document)
            session.add(
                Document(
                    id=document_id,
                    team_id=team_id,
                    filename=f"deed_{number}.pdf",
                    mime_type="application/pdf",
                    kind="pdf",
                    size_bytes=1,
                    sha256="0" * 64,
                    blob_key=f"{team_id}/{document_id}/original",
                    status=DocumentStatus.completed,
                    version=1,
                )
            )
            session.add(
                Extraction(
                    id=new_id(IdPrefix.extraction),
                    team_id=team_id,
                    document_id=document_id,
                    document_version=1,
                    template_id="sale_deed",
                    template_name="sale_deed",
                    template_version=1,
                    values=values,
                    fields={},
                    tables=[],
                    llm_pending=[],
                    warnings=[],
                )
            )


async def run(count: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="folio-bench-exports-"))
    values, apply_ms = deed_values(folder)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=folder / "data",
        workers=0,
        log_json=False,
        log_level="WARNING",
        rate_limit_enabled=False,
    )
    app = create_app(settings)
    figures: dict[str, Any] = {"apply_sale_deed_ms": round(apply_ms, 1), "formats": {}}
    async with app.router.lifespan_context(app):
        credentials = app.state.initial_credentials
        await store(app, credentials.team_id, values, count)
        headers = {"Authorization": f"Bearer {credentials.api_key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers, timeout=900
        ) as client:
            for export_format in ("xlsx", "csv", "ndjson"):
                started = time.perf_counter()
                response = await client.get(
                    "/api/v1/exports/extractions", params={"format": export_format}
                )
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                figures["formats"][export_format] = {
                    "seconds": round(elapsed, 2),
                    "documents_per_s": round(count / elapsed),
                    "megabytes": round(len(response.content) / 1e6, 2),
                }
    figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    args = parser.parse_args()
    figures = asyncio.run(run(args.documents))
    report = {
        "documents": args.documents,
        "rows_per_document": len(DEEDS[0]["sellers"]) + len(DEEDS[0]["buyers"]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **figures,
    }
    print(f"apply_template(sale_deed): {figures['apply_sale_deed_ms']} ms per deed")
    for name, row in figures["formats"].items():
        print(
            f"{name:7} {row['seconds']:7.2f} s  {row['documents_per_s']:6} deeds/s  "
            f"{row['megabytes']} MB"
        )
    print(f"max RSS {figures['max_rss_mb']} MB")
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
