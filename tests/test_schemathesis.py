"""Schemathesis over every operation of a real server: the OpenAPI document must tell the truth.

A real uvicorn server (tests/live.py) serves the app; two users, each with a team, an API key and
some data (a processed document, a batch, a template, a webhook, a project, a crawl job ...), are
its tenants. First user B aims every operation that takes an id at user A's ids: 403 or 404 and
a documented problem, never a 2xx. Then the Schemathesis CLI runs the examples, fuzzing and
stateful phases (the coverage phase alone takes ~4 minutes here: FOLIO_FUZZ_PHASES adds it) with a
fixed seed and a few examples per operation, and fails on any 5xx, any response that does not
match the document (status, media type, schema, headers), ignored authentication, or one user
reading the other's objects.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import Account, client_for, create_account
from tests.helpers import upload_ok, wait_settled
from tests.live import serving

FUZZ_SETTINGS = {
    "rate_limit_enabled": False,  # tests/ratelimit cover the limits; here they would hide bugs
    "webhook_allowed_hosts": ["127.0.0.1"],
}
SEED = 20261207
SOME_DOCUMENT = "doc_01jd0000000000000000000000"
# a bounded run for `make test`; raise both for a deeper run on your own machine
EXAMPLES = int(os.environ.get("FOLIO_FUZZ_EXAMPLES", "3"))
PHASES = os.environ.get("FOLIO_FUZZ_PHASES", "examples,fuzzing,stateful")
# every check Schemathesis has but two that judge input handling rather than the document:
# positive_data_acceptance wants a 2xx for any schema-valid body, yet rules across fields
# (RedactionCreate: entity_types or boxes) and ids that do not exist rightly answer 4xx;
# negative_data_rejection wants 0/1 refused as booleans and 1.0 as an integer, which
# Pydantic's lax mode accepts on purpose
EXCLUDED_CHECKS = "positive_data_acceptance,negative_data_rejection"
# bodies whose rules span fields (JSON Schema cannot say them), so a drawn one may be refused
SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/documents/{document_id}/redactions"): {"entity_types": ["email"]},
    ("POST", "/api/v1/templates/{template_id}/apply"): {"document_ids": [SOME_DOCUMENT]},
    ("POST", "/api/v1/workflows/tasks/{task_id}/reassign"): {"role": "admin"},
}
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


async def seed_tenant(client: httpx.AsyncClient) -> dict[str, str]:
    """One of everything a fuzzer should find ids of, made through the API."""
    document = await upload_ok(client, content=b"Invoice 42, total 12.50 EUR", filename="i.txt")
    await wait_settled(client, document["id"])
    batch = await client.post(
        "/api/v1/batches", files=[("files", ("b.txt", b"batch minutes", "text/plain"))]
    )
    template = await client.post(
        "/api/v1/templates",
        json={"name": "fuzz-totals", "fields": [{"name": "total", "type": "money"}]},
    )
    webhook = await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    project = await client.post("/api/v1/projects", json={"name": "fuzz"})
    share = await client.post(f"/api/v1/documents/{document['id']}/shares", json={})
    ticket = await client.post(
        "/api/v1/tickets",
        json={"user_name": "A", "error_type": "OCR Failure", "description": "fuzz"},
    )
    key = await client.post("/api/v1/keys", json={"name": "fuzz"})
    job = await client.post(
        "/api/v1/crawl-jobs",
        json={"project_id": project.json()["id"], "seeds": ["http://127.0.0.1:9/"]},
    )
    dataset = await client.post(f"/api/v1/projects/{project.json()['id']}/datasets", json={})
    workflow = await client.post(
        "/api/v1/workflows",
        json={
            "name": "fuzz",
            "steps": [{"name": "A", "kind": "approve", "assignee": {"role": "owner"}}],
        },
    )
    instance = await client.post(
        f"/api/v1/workflows/{workflow.json()['id']}/instances", json={"document_id": document["id"]}
    )
    made = [batch, template, webhook, project, share, ticket, key, job, dataset, workflow, instance]
    tag = await client.post("/api/v1/tags", json={"name": "fuzz"})
    field = await client.post("/api/v1/custom-fields", json={"name": "fuzz", "type": "text"})
    automation = await client.post(
        "/api/v1/automations",
        json={
            "name": "fuzz",
            "trigger": {"type": "document.uploaded"},
            "actions": [{"kind": "notify", "title": "fuzz"}],
        },
    )
    made = [batch, template, webhook, project, share, ticket, key, job, dataset, tag, field]
    made.append(automation)
    failed = [(r.url.path, r.status_code, r.text[:300]) for r in made if r.status_code >= 300]
    assert not failed
    return {
        "document_id": document["id"],
        "batch_id": batch.json()["id"],
        "template_id": template.json()["id"],
        "webhook_id": webhook.json()["id"],
        "project_id": project.json()["id"],
        "share_id": share.json()["id"],
        "ticket_id": ticket.json()["id"],
        "key_id": key.json()["id"],
        "job_id": job.json()["id"],
        "dataset_id": dataset.json()["id"],
        "workflow_id": workflow.json()["id"],
        "instance_id": instance.json()["id"],
        "task_id": instance.json()["tasks"][0]["id"],
        "tag_id": tag.json()["id"],
        "field_id": field.json()["id"],
        "automation_id": automation.json()["id"],
    }


async def tenant(app: FastAPI, email: str) -> tuple[Account, dict[str, str]]:
    account = await create_account(app, email)
    async with client_for(app, account) as client:
        ids = await seed_tenant(client)
    ids["team_id"] = account.team_id
    ids["user_id"] = account.user_id
    return account, ids


def wfc_auth(path: Path, *accounts: tuple[str, Account]) -> Path:
    """A Web Fuzzing Commons auth file: Schemathesis's way to know several users."""
    entries = [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {a.api_key}"}]}
        for name, a in accounts
    ]
    path.write_text(json.dumps({"schemaVersion": "0.2.0", "auth": entries}))
    return path


def schemathesis_config(directory: Path, auth: Path, ids: dict[str, str]) -> Path:
    """Both users known; path ids of user A's data, so requests reach past the 404."""
    parameters = "".join(f'"path.{name}" = {json.dumps(value)}\n' for name, value in ids.items())
    config = directory / "schemathesis.toml"
    config.write_text(
        f"[parameters]\n{parameters}\n[auth]\nauto-signup = false\n\n"
        f'[auth.wfc]\npath = {json.dumps(str(auth))}\npeers = ["alice", "bob"]\n'
    )
    return config


@pytest.mark.timeout(420)
# Schemathesis's own strategies use `random`, which this Hypothesis deprecates
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
@pytest.mark.parametrize("settings_overrides", [FUZZ_SETTINGS])
async def test_schemathesis_finds_nothing(app: FastAPI, tmp_path: Path) -> None:
    alice, alice_ids = await tenant(app, "alice@example.com")
    bob, _ = await tenant(app, "bob@example.com")
    async with serving(app) as url:
        # user B aims every operation at user A's ids (before the fuzzer changes A's data)
        results = await asyncio.to_thread(aim_at, app.openapi(), url, alice_ids, bob)
        returncode, report = await run_schemathesis(url, tmp_path, (alice, alice_ids), bob)

    aimed = [r for r in results if r[2] is not None]
    assert len(aimed) >= 75, "the walk aimed at too few operations"
    # /scim/v2 takes a team's SCIM token only: user B's API key is a 401 there
    refused = [(403, 404) if not r[1].startswith("/scim/") else (401,) for r in aimed]
    assert not [r for r, allowed in zip(aimed, refused, strict=True) if r[2] not in allowed]
    assert not [r for r in results if r[3]]
    (tmp_path / "schemathesis.txt").write_text(report)
    assert returncode == 0, report[-30000:]
    tested = re.search(r"Operations:\s+(\d+) selected / (\d+) total", report)
    assert tested is not None and tested[1] == tested[2] and int(tested[1]) >= 170, report


async def run_schemathesis(
    url: str, directory: Path, owner: tuple[Account, dict[str, str]], bob: Account
) -> tuple[int, str]:
    alice, ids = owner
    auth = wfc_auth(directory / "auth.json", ("alice", alice), ("bob", bob))
    config = schemathesis_config(directory, auth, ids)
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color"],
        *["run", f"{url}/openapi.json", "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS],
        *["--phases", PHASES, "--max-examples", str(EXAMPLES), "--seed", str(SEED)],
        # one worker: Hypothesis parses lambdas with ast in each thread, and CPython 3.11.7's
        # ast is not thread-safe (gh-106905: "AST constructor recursion depth mismatch")
        *["--generation-deterministic", "--no-shrink", "--workers", "1"],
        *["--request-timeout", "30"],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=directory,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


def fill(path: str, ids: dict[str, str]) -> dict[str, str] | None:
    names = re.findall(r"{(\w+)}", path)
    if not names or not all(name in ids for name in names):
        return None
    return {name: ids[name] for name in names}


def aim_at(
    document: dict[str, Any], url: str, ids: dict[str, str], intruder: Account
) -> list[tuple[str, str, int | None, str]]:
    schema = schemathesis.openapi.from_dict(document)
    results = []
    for result in schema.get_all_operations():
        operation = result.ok()
        parameters = fill(operation.path, ids)
        if parameters is None:
            continue
        body = SAMPLE_BODIES.get((operation.method.upper(), operation.path))
        case = valid_case(operation, parameters, intruder.headers, body)
        response = case.call(base_url=url)
        problem = ""
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except BaseExceptionGroup as failures:  # the report names what did not conform
            problem = str(failures)[:500]
        results.append((operation.method.upper(), operation.path, response.status_code, problem))
    return results


def valid_case(
    operation: Any, parameters: dict[str, str], headers: dict[str, str], body: Any
) -> Any:
    """One request that fits the schema (the same one every run), aimed at ``parameters``."""
    drawn: list[Any] = []
    fixed = {"body": body} if body is not None else {}
    strategy = operation.as_strategy(path_parameters=parameters, headers=headers, **fixed)

    @hypothesis.given(strategy)
    @hypothesis.settings(
        max_examples=1,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def draw(case: Any) -> None:
        drawn.append(case)

    draw()
    return drawn[0]
