"""Automation rules through the API with the real runner: an invoice over an amount tagged
and notified, a dry run, a schedule, retries and pausing, loop protection, tenancy, bad
input."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from folio.automations.models import AutomationRule
from folio.core.db import utcnow
from tests.automations.conftest import FAST, create_rule, runs, settled_runs
from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

pytestmark = pytest.mark.timeout(180)
COOLBLUE = "invoice2data/tests/compare/coolblue1.pdf"  # total 717.97
INVOICE = (
    "INVOICE\nInvoice number: INV-{n}\nDate: 2026-11-02\nBill to: Acme Corp\n"
    "Total due: {total} EUR\nPlease pay by bank transfer.\n"
)
BIG_INVOICES = {
    "trigger": {"type": "document.classified", "document_types": ["invoice"]},
    "conditions": {
        "kind": "all",
        "conditions": [{"kind": "entity", "type": "money", "op": ">", "amount": 1000}],
    },
    "actions": [
        {"kind": "add_tags", "tags": ["big-invoice"]},
        {"kind": "notify", "title": "Big invoice", "message": "over 1000"},
    ],
}


async def tag(client: httpx.AsyncClient, name: str) -> dict:
    response = await client.post("/api/v1/tags", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


async def document(client: httpx.AsyncClient, document_id: str) -> dict:
    return (await client.get(f"/api/v1/documents/{document_id}")).json()


@pytest.mark.parametrize("settings_overrides", [{**FAST, "analysis_enabled": True}])
async def test_big_invoices_are_tagged_and_the_team_notified(client: httpx.AsyncClient) -> None:
    await tag(client, "big-invoice")
    rule = await create_rule(client, **BIG_INVOICES)
    big = await upload_ok(
        client,
        content=INVOICE.format(n=1, total="1,250.00").encode(),
        filename="big.txt",
        content_type="text/plain",
    )
    small = await upload_ok(
        client,
        content=INVOICE.format(n=2, total="250.00").encode(),
        filename="small.txt",
        content_type="text/plain",
    )
    for item in (big, small):
        await wait_settled(client, item["id"])

    done = {run["document_id"]: run for run in await settled_runs(client, rule["id"], 2)}
    assert done[big["id"]]["status"] == "succeeded" and done[big["id"]]["matched"] is True
    assert [s["status"] for s in done[big["id"]]["steps"]] == ["done", "done"]
    assert all(s["duration_ms"] is not None for s in done[big["id"]]["steps"])
    assert done[small["id"]]["status"] == "skipped" and done[small["id"]]["matched"] is False
    assert (await document(client, big["id"]))["tags"] == ["big-invoice"]
    assert (await document(client, small["id"]))["tags"] == []
    notes = (await client.get("/api/v1/notifications")).json()["items"]
    assert [n["title"] for n in notes].count("Big invoice") == 1

    dry = await client.post(
        f"/api/v1/automations/{rule['id']}/test", json={"document_id": small["id"]}
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["trigger_matched"] is True and dry.json()["matched"] is False
    assert dry.json()["conditions"]["conditions"][0]["matched"] is False
    assert dry.json()["actions"] == [] and dry.json()["would_run"] is False


async def test_dry_run_changes_nothing(client: httpx.AsyncClient) -> None:
    await tag(client, "text")
    rule = await create_rule(
        client,
        trigger={"type": "document.uploaded"},
        conditions={"kind": "any", "conditions": [{"kind": "filename", "glob": "*.txt"}]},
        actions=[{"kind": "add_tags", "tags": ["text"]}],
        enabled=False,
    )
    item = await upload_ok(client, content=b"plain words", filename="n.txt")
    dry = await client.post(
        f"/api/v1/automations/{rule['id']}/test", json={"document_id": item["id"]}
    )
    body = dry.json()
    assert body["matched"] is True and body["would_run"] is False  # the rule is disabled
    assert body["actions"] == [{"kind": "add_tags", "preview": "add tags text"}]
    assert (await document(client, item["id"]))["tags"] == []
    assert await runs(client, rule["id"]) == []


async def test_a_scheduled_rule_runs_once_per_slot(app: FastAPI, client: httpx.AsyncClient) -> None:
    await tag(client, "swept")
    rule = await create_rule(
        client,
        trigger={"type": "schedule", "cron": "0 7 * * 1-5", "timezone": "Europe/Paris"},
        conditions={"kind": "mime_type", "glob": "text/*"},
        actions=[{"kind": "add_tags", "tags": ["swept"]}, {"kind": "notify", "title": "Swept"}],
    )
    assert rule["next_run_at"] is not None
    other = await upload_ok(client, content=b"sweep me too", filename="t.txt")
    item = await upload_ok(client, content=b"sweep me", filename="s.txt")
    async with app.state.runtime.db.session() as session:  # the slot has come
        await session.execute(
            update(AutomationRule)
            .where(AutomationRule.id == rule["id"])
            .values(next_run_at=utcnow() - timedelta(seconds=1))
        )

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["event_type"] == "schedule" and run["status"] == "succeeded"
    assert [step["kind"] for step in run["steps"]] == ["add_tags", "add_tags", "notify"]
    assert (await document(client, item["id"]))["tags"] == ["swept"]
    assert (await document(client, other["id"]))["tags"] == ["swept"]
    notes = (await client.get("/api/v1/notifications")).json()["items"]
    assert [n["title"] for n in notes].count("Swept") == 1  # once per slot, not per document
    audit = await client.get("/api/v1/audit/logs", params={"action": "automations.add_tags"})
    entry = next(e for e in audit.json()["items"] if e["resource_id"] == item["id"])
    assert entry["actor_type"] == "automation" and entry["request_id"] == run["id"]
    again = (await client.get(f"/api/v1/automations/{rule['id']}")).json()
    assert again["next_run_at"] > utcnow().isoformat()[:19]
    assert len(await runs(client, rule["id"])) == 1


@pytest.mark.parametrize("settings_overrides", [{**FAST, "automation_max_attempts": 2}])
async def test_failing_runs_retry_then_the_rule_pauses_with_a_notification(
    client: httpx.AsyncClient,
) -> None:
    webhook = await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/gone"})
    rule = await create_rule(
        client,
        trigger={"type": "document.uploaded"},
        actions=[{"kind": "call_webhook", "webhook_id": webhook.json()["id"]}],
        max_failures=1,
    )
    await upload_ok(client, content=b"nobody listens", filename="f.txt")

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["status"] == "failed" and run["attempts"] == 2 and run["error"]
    paused = (await client.get(f"/api/v1/automations/{rule['id']}")).json()
    assert paused["paused_at"] is not None and "1 failed runs" in paused["paused_reason"]
    notes = (await client.get("/api/v1/notifications")).json()["items"]
    assert "An automation rule was paused" in [n["title"] for n in notes]
    await upload_ok(client, content=b"still nobody", filename="g.txt")
    assert len(await runs(client, rule["id"])) == 1  # a paused rule starts no runs
    resumed = await client.patch(f"/api/v1/automations/{rule['id']}", json={"enabled": True})
    assert resumed.json()["paused_at"] is None


async def test_rules_that_retrigger_each_other_stop(client: httpx.AsyncClient) -> None:
    ping, pong = await tag(client, "ping"), await tag(client, "pong")
    first = await create_rule(
        client,
        trigger={"type": "document.tagged", "tag": "ping"},
        actions=[{"kind": "remove_tags", "tags": ["ping"]}, {"kind": "add_tags", "tags": ["pong"]}],
    )
    second = await create_rule(
        client,
        trigger={"type": "document.tagged", "tag": "pong"},
        actions=[{"kind": "remove_tags", "tags": ["pong"]}, {"kind": "add_tags", "tags": ["ping"]}],
    )
    item = await upload_ok(client, content=b"ball", filename="b.txt")
    await client.put(f"/api/v1/documents/{item['id']}/tags/{ping['id']}")

    first_runs = await settled_runs(client, first["id"], 2)
    assert sorted(r["status"] for r in first_runs) == ["skipped", "succeeded"]
    stopped = next(r for r in first_runs if r["status"] == "skipped")
    assert stopped["depth"] == 2 and "Loop protection" in stopped["error"]
    [second_run] = await settled_runs(client, second["id"], 1)
    assert second_run["depth"] == 1 and second_run["status"] == "succeeded"
    assert (await document(client, item["id"]))["tags"] == ["ping"]
    assert pong["id"]


class TestBadInput:
    @pytest.mark.parametrize(
        "body",
        [
            {
                "trigger": {"type": "document.exploded"},
                "actions": [{"kind": "notify", "title": "x"}],
            },
            {
                "trigger": {"type": "schedule", "cron": "every day"},
                "actions": [{"kind": "notify", "title": "x"}],
            },
            {
                "trigger": {"type": "schedule", "cron": "0 7 * * *", "timezone": "Mars/Olympus"},
                "actions": [{"kind": "notify", "title": "x"}],
            },
            {
                "trigger": {"type": "document.uploaded"},
                "actions": [{"kind": "notify", "title": "x", "colour": "red"}],
            },
            {"trigger": {"type": "document.uploaded"}, "actions": [{"kind": "launch_rocket"}]},
            {
                "trigger": {"type": "document.uploaded"},
                "conditions": {"kind": "size", "op": "~", "bytes": 1},
                "actions": [{"kind": "notify", "title": "x"}],
            },
            {
                "trigger": {"type": "document.uploaded"},
                "actions": [{"kind": "add_tags", "tags": ["no-such-tag"]}],
            },
            {
                "trigger": {"type": "document.uploaded"},
                "actions": [{"kind": "set_field", "name": "no_such_field", "value": 1}],
            },
            {"trigger": {"type": "document.uploaded"}, "actions": []},
        ],
    )
    async def test_refused_with_a_problem_and_nothing_saved(
        self, client: httpx.AsyncClient, body: dict
    ) -> None:
        response = await client.post("/api/v1/automations", json={"name": "bad", **body})
        assert_problem(response, 422, "VALIDATION_ERROR")
        assert (await client.get("/api/v1/automations")).json()["items"] == []

    async def test_a_field_value_of_the_wrong_type(self, client: httpx.AsyncClient) -> None:
        await client.post("/api/v1/custom-fields", json={"name": "amount", "type": "number"})
        response = await client.post(
            "/api/v1/automations",
            json={
                "name": "bad",
                "trigger": {"type": "document.uploaded"},
                "actions": [{"kind": "set_field", "name": "amount", "value": "lots"}],
            },
        )
        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "actions[0].value"


async def test_another_team_neither_sees_nor_touches(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    await tag(second_client, "theirs")
    mine = await create_rule(
        client, trigger={"type": "document.uploaded"}, actions=[{"kind": "notify", "title": "m"}]
    )
    theirs = await create_rule(
        second_client,
        trigger={"type": "document.uploaded"},
        actions=[{"kind": "add_tags", "tags": ["theirs"]}],
    )
    item = await upload_ok(client, content=b"team A only", filename="a.txt")
    await settled_runs(client, mine["id"], 1)

    assert await runs(second_client, theirs["id"]) == []  # their rule never saw my upload
    assert (await document(client, item["id"]))["tags"] == []
    for method, path, body in (
        ("GET", f"/api/v1/automations/{mine['id']}", None),
        ("GET", f"/api/v1/automations/{mine['id']}/runs", None),
        ("PATCH", f"/api/v1/automations/{mine['id']}", {"enabled": False}),
        ("POST", f"/api/v1/automations/{mine['id']}/test", {"document_id": item["id"]}),
        ("POST", f"/api/v1/automations/{theirs['id']}/test", {"document_id": item["id"]}),
    ):
        response = await second_client.request(method, path, json=body)
        assert_problem(response, 404, "NOT_FOUND")
    assert (await second_client.get("/api/v1/automations")).json()["items"] == [theirs]
    refused = await viewer_client.get("/api/v1/automations")
    assert_problem(refused, 403, "FORBIDDEN")


async def test_a_rule_shares_with_a_member(
    client: httpx.AsyncClient, viewer_account: object, viewer_client: httpx.AsyncClient
) -> None:
    viewer = (await viewer_client.get("/api/v1/auth/me")).json()
    refused = await client.post(
        "/api/v1/automations",
        json={
            "name": "bad",
            "trigger": {"type": "document.uploaded"},
            "actions": [{"kind": "share", "user_id": "usr_01jd0000000000000000000000"}],
        },
    )
    assert_problem(refused, 422, "VALIDATION_ERROR")
    rule = await create_rule(
        client,
        trigger={"type": "document.uploaded"},
        actions=[{"kind": "share", "user_id": viewer["id"]}],
    )
    item = await upload_ok(client, content=b"for the viewer", filename="v.txt")

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["status"] == "succeeded", run
    shares = (await client.get(f"/api/v1/documents/{item['id']}/shares")).json()["items"]
    assert [(s["kind"], s["recipient_user_id"]) for s in shares] == [("member", viewer["id"])]
    assert run["steps"][0]["result"]["share_id"] == shares[0]["id"]


async def test_a_rule_extracts_and_another_tags_by_the_extracted_total(
    client: httpx.AsyncClient,
) -> None:
    await tag(client, "over-700")
    extract = await create_rule(
        client,
        trigger={"type": "document.processed"},
        conditions={"kind": "filename", "glob": "*.pdf"},
        actions=[{"kind": "apply_template", "template": "invoice"}],
    )
    big = await create_rule(
        client,
        trigger={"type": "extraction.completed", "template": "invoice"},
        conditions={"kind": "extracted_field", "name": "total", "op": ">", "value": 700},
        actions=[{"kind": "add_tags", "tags": ["over-700"]}],
    )
    item = await upload_ok(client, corpus(COOLBLUE))
    await wait_settled(client, item["id"])

    [extracted] = await settled_runs(client, extract["id"], 1)
    assert extracted["status"] == "succeeded", (extracted["error"], extracted["steps"])
    assert extracted["steps"][0]["result"]["extraction_id"].startswith("ext_")
    [tagged] = await settled_runs(client, big["id"], 1)
    assert tagged["status"] == "succeeded" and tagged["depth"] == 1  # caused by the first
    assert (await document(client, item["id"]))["tags"] == ["over-700"]
    unknown = await client.post(
        "/api/v1/automations",
        json={
            "name": "bad",
            "trigger": {"type": "document.processed"},
            "actions": [{"kind": "apply_template", "template": "no-such-template"}],
        },
    )
    assert_problem(unknown, 422, "VALIDATION_ERROR")
