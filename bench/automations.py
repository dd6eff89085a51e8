"""Automation rules: evaluation cost per event with 100 rules per team, and the added latency
from ``document.processed`` to a rule's action, embedded.

    python bench/automations.py [--quick]

1. Evaluation. 100 rules of one team (nested all/any conditions over document type,
   confidence, filename glob, size, tags, custom fields, entity amounts, extracted fields,
   PII risk) read from their stored JSON and tested on one processed invoice's facts, as the
   runner plans a run. Figures: microseconds per rule, parsing included and not, next to an
   anchor measured in the same run: validating the event envelope from its JSON
   (``Event.model_validate_json``), which every consumer of an event does once.
   Goal: < 1 ms per rule.
2. Latency. The real app (embedded: SQLite, the worker pool, the runner) with one rule on
   ``document.processed`` that tags the document. N small text documents are uploaded one after
   another; for each, the time from the stored ``document.processed`` event to the stored
   ``document.tagged`` event the rule's action emitted. p50/p95/max in milliseconds.
   Goal: p95 < 500 ms.

Writes ``bench/results/automations.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from folio.app import create_app
from folio.automations.conditions import explain
from folio.automations.facts import Facts
from folio.automations.service import CONDITION, TRIGGER
from folio.config import Settings
from folio.core.events import Event

RESULTS = Path(__file__).resolve().parent / "results" / "automations.json"
RULES = 100

FACTS = Facts(
    document_id="doc_01jd0000000000000000000000",
    filename="invoice-2041.pdf",
    mime_type="application/pdf",
    size_bytes=182_331,
    page_count=2,
    document_type="invoice",
    confidence=0.93,
    tags=frozenset({"inbox", "finance"}),
    custom_fields={"total": "1250.00", "state": "open", "due": "2026-12-31"},
    entities=tuple(
        [("invoice_number", "INV-2041", "INV-2041"), ("money", "1,250.00 EUR", "1250.00 EUR")]
        + [("date", f"2026-11-{d:02d}", f"2026-11-{d:02d}") for d in range(1, 20)]
        + [("person", f"Person {i}", None) for i in range(20)]
    ),
    pii_risk="medium",
    pii_types=frozenset({"email", "phone"}),
    extracted={"total": "1250.00", "vendor": "Acme Corp"},
    source="upload",
    batch_id=None,
    status="completed",
)


def rule_conditions(i: int) -> dict[str, Any]:
    """Ten shapes, each with its own numbers: 3 to 9 leaves, up to 3 levels deep."""
    leaves = [
        {"kind": "document_type", "equals": ["invoice", "receipt"]},
        {"kind": "confidence", "op": ">=", "value": 0.5 + (i % 5) / 10},
        {"kind": "filename", "glob": f"invoice-{i % 3}*"},
        {"kind": "size", "op": "<", "bytes": 1_000_000 + i},
        {"kind": "tag", "name": "finance" if i % 2 else "legal"},
        {"kind": "custom_field", "name": "total", "op": ">", "value": 1000 + i},
        {"kind": "entity", "type": "money", "op": ">", "amount": 500 + i * 10},
        {"kind": "extracted_field", "name": "total", "op": ">=", "value": 1000},
        {"kind": "pii_risk", "at_least": "low", "types": ["email"]},
        {"kind": "mime_type", "glob": "application/*"},
    ]
    picked = [leaves[(i + k) % len(leaves)] for k in range(3 + i % 7)]
    half = len(picked) // 2
    return {
        "kind": "all",
        "conditions": [
            *picked[:half],
            {"kind": "any", "conditions": [*picked[half:], {"kind": "source", "equals": "batch"}]},
        ],
    }


def per_call_us(work: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        best = min(best, (time.perf_counter() - started) / repeat)
    return best * 1e6


def evaluation(quick: bool) -> dict[str, float]:
    stored = [rule_conditions(i) for i in range(RULES)]
    parsed = [CONDITION.validate_python(c) for c in stored]
    trigger = TRIGGER.validate_python(
        {"type": "document.classified", "document_types": ["invoice"]}
    )
    envelope = Event(
        type="document.processed",
        team_id="team_01jd0000000000000000000000",
        data={"document_id": FACTS.document_id, "status": "completed", "page_count": 2},
    ).model_dump_json()
    repeat = 20 if quick else 100

    def evaluate_parsed() -> None:
        for condition in parsed:
            trigger.narrows(FACTS, {}) and explain(condition, FACTS)

    def parse_and_evaluate() -> None:
        for raw in stored:
            explain(CONDITION.validate_python(raw), FACTS)

    anchor = per_call_us(lambda: Event.model_validate_json(envelope), repeat * RULES)
    evaluated = per_call_us(evaluate_parsed, repeat) / RULES
    with_parsing = per_call_us(parse_and_evaluate, repeat) / RULES
    matched = sum(explain(c, FACTS)["matched"] for c in parsed)
    return {
        "anchor_event_parse_us": round(anchor, 2),
        "per_rule_evaluate_us": round(evaluated, 2),
        "per_rule_parse_and_evaluate_us": round(with_parsing, 2),
        "per_event_100_rules_ms": round(with_parsing * RULES / 1000, 3),
        "rules_matched": matched,
    }


async def latency(documents: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=Path(directory),
            workers=1,
            analysis_enabled=False,
            rate_limit_enabled=False,  # the bench polls the event log
            log_level="WARNING",
            dispatcher_poll_s=0.2,
            automation_poll_s=1.0,  # the default: the runner is woken by the commit
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            key = app.state.initial_credentials.api_key
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://folio.bench",
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
            ) as client:
                return await _measure(client, documents)


async def _measure(client: httpx.AsyncClient, documents: int) -> dict[str, float]:
    await client.post("/api/v1/tags", json={"name": "seen"})
    rule = await client.post(
        "/api/v1/automations",
        json={
            "name": "tag processed",
            "trigger": {"type": "document.processed"},
            "conditions": {"kind": "filename", "glob": "*.txt"},
            "actions": [{"kind": "add_tags", "tags": ["seen"]}],
        },
    )
    assert rule.status_code == 201, rule.text
    delays = []
    for n in range(documents):
        upload = await client.post(
            "/api/v1/documents",
            files={"file": (f"d{n}.txt", f"document {n} for the rule".encode(), "text/plain")},
        )
        document_id = upload.json()["id"]
        delays.append(await _delay(client, document_id))
    delays.sort()
    return {
        "documents": documents,
        "p50_ms": round(statistics.median(delays), 1),
        "p95_ms": round(delays[max(0, int(len(delays) * 0.95) - 1)], 1),
        "max_ms": round(delays[-1], 1),
    }


async def _delay(client: httpx.AsyncClient, document_id: str) -> float:
    """Milliseconds from the stored document.processed to the rule's document.tagged."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        events = (
            await client.get(
                "/api/v1/events",
                params=[
                    ("type", "document.processed"),
                    ("type", "document.tagged"),
                    ("limit", 100),
                ],
            )
        ).json()["items"]
        mine = {e["type"]: e for e in events if e["data"].get("document_id") == document_id}
        if {"document.processed", "document.tagged"} <= set(mine):
            processed = datetime.fromisoformat(mine["document.processed"]["created_at"])
            tagged = datetime.fromisoformat(mine["document.tagged"]["created_at"])
            return (tagged - processed).total_seconds() * 1000
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{document_id} was not tagged")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    figures = {"evaluation": evaluation(arguments.quick)}
    figures["latency"] = asyncio.run(latency(10 if arguments.quick else 40))
    e, lat = figures["evaluation"], figures["latency"]
    print(f"anchor: Event.model_validate_json            {e['anchor_event_parse_us']:8.2f} µs")
    print(
        f"per rule, evaluate (parsed)                 {e['per_rule_evaluate_us']:8.2f} µs"
        f"  ({e['per_rule_evaluate_us'] / e['anchor_event_parse_us']:.1f}x anchor)"
    )
    print(
        f"per rule, parse stored JSON + evaluate      {e['per_rule_parse_and_evaluate_us']:8.2f} µs"
        f"  ({e['per_rule_parse_and_evaluate_us'] / e['anchor_event_parse_us']:.1f}x anchor;"
        f" goal < 1000 µs)"
    )
    print(f"per event, 100 rules                        {e['per_event_100_rules_ms']:8.3f} ms")
    print(
        f"document.processed → action ({lat['documents']} documents): p50 {lat['p50_ms']} ms,"
        f" p95 {lat['p95_ms']} ms (goal < 500), max {lat['max_ms']} ms"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
