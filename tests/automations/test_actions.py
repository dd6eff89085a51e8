"""The action kinds over other services (apply_template, run_validation, redact, classify,
move_to_batch, share, delete_after), each run by the real runner on a real upload and its
effect read back through the API; their dry-run previews; bad and other teams' references
refused when the rule is saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import update

from folio.core.db import utcnow
from folio.documents.models import Document
from tests.automations.conftest import FAST, create_rule, runs, settled_runs
from tests.classifiers.test_endpoints import TEXTS, label, processed_text
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.notifications.test_notifications import arrived
from tests.smtp import Inbox

pytestmark = pytest.mark.timeout(240)
ORDER_TEMPLATE = {
    "name": "purchase-order",
    "fields": [
        {
            "name": "order_number",
            "locators": [{"kind": "regex", "pattern": r"Order\s*number[:\s]*(\w+)"}],
        },
        {"name": "approved_by", "locators": [{"kind": "regex", "pattern": r"Approved by (\w+)"}]},
    ],
    "rules": [
        {"kind": "required", "field": "order_number"},
        {"kind": "required", "field": "approved_by"},
    ],
}
ORDER_LINES = ("PURCHASE ORDER", "Order number: PO4711", "Contact: jane.doe@example.com")


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {**FAST, "smtp_host": "127.0.0.1", "smtp_port": inbox.port}


def order_pdf(folder: Path) -> bytes:
    path = folder / "order.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    for index, line in enumerate(ORDER_LINES):
        canvas.drawString(60, 780 - 20 * index, line)
    canvas.save()
    return path.read_bytes()


async def created(client: httpx.AsyncClient, path: str, **kwargs: object) -> dict:
    response = await client.post(path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code in (201, 202), response.text
    return response.json()


async def a_batch(client: httpx.AsyncClient, name: str) -> dict:
    files = [("files", ("note.txt", b"a note to file", "text/plain"))]
    batch = await created(client, "/api/v1/batches", files=files, data={"name": name})
    for document in batch["documents"]:  # settled before any rule exists
        await wait_settled(client, document["id"])
    return batch


async def test_each_kind_runs_on_an_upload(
    app: FastAPI,
    client: httpx.AsyncClient,
    viewer_account: Account,
    inbox: Inbox,
    tmp_path: Path,
) -> None:
    await client.put("/api/v1/notifications/preferences", json={"email_enabled": True})
    template = await created(client, "/api/v1/templates", json=ORDER_TEMPLATE)
    archive = await a_batch(client, "Orders")
    actions = [
        {"kind": "apply_template", "template": template["id"]},
        {"kind": "run_validation", "template": "purchase-order"},
        {"kind": "redact", "entity_types": ["email"]},
        {"kind": "move_to_batch", "batch_id": archive["id"]},
        {"kind": "share", "user_id": viewer_account.user_id, "days": 3},
        {"kind": "delete_after", "days": 30},
        {"kind": "notify", "title": "Order filed", "message": "PO4711"},
    ]
    rule = await create_rule(client, trigger={"type": "document.processed"}, actions=actions)
    item = await upload_ok(client, content=order_pdf(tmp_path), filename="order.pdf")
    assert (await wait_settled(client, item["id"]))["status"] == "completed"
    document_id = item["id"]

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["document_id"] == document_id
    assert len(await runs(client, rule["id"])) == 1  # once per (rule, event)
    assert run["status"] == "succeeded", run
    results = [step["result"] for step in run["steps"]]
    [extraction] = (await client.get(f"/api/v1/documents/{document_id}/extractions")).json()[
        "items"
    ]
    assert extraction["id"] == results[0]["extraction_id"]
    assert extraction["values"]["order_number"] == "PO4711"
    assert results[1] == {"passed": False, "failed": 1, "extraction_id": extraction["id"]}
    [redaction] = (await client.get(f"/api/v1/documents/{document_id}/redactions")).json()["items"]
    assert redaction["id"] == results[2]["redaction_id"] and redaction["counts"] == {"email": 1}
    document = (await client.get(f"/api/v1/documents/{document_id}")).json()
    assert document["batch_id"] == archive["id"]
    shares = await client.get(f"/api/v1/documents/{document_id}/shares")
    assert shares.status_code == 200, shares.text
    [share] = shares.json()["items"]
    assert share["kind"] == "member" and share["recipient_user_id"] == viewer_account.user_id
    assert await arrived(inbox, "Folio: Order filed")  # the admin's preferences ask for e-mail
    assert document["delete_after"][:10] == (utcnow() + timedelta(days=30)).date().isoformat()

    dry = await client.post(
        f"/api/v1/automations/{rule['id']}/test", json={"document_id": document_id}
    )
    assert [a["preview"] for a in dry.json()["actions"]] == [
        f"apply template {template['id']}",
        "validate with the rules of template purchase-order",
        "redact email",
        f"move to batch {archive['id']}",
        f"share with member {viewer_account.user_id} for 3 days",
        "delete the document after 30 days",
        "notify the team: Order filed",
    ]
    assert (
        len((await client.get(f"/api/v1/documents/{document_id}/extractions")).json()["items"]) == 1
    )

    async with app.state.runtime.db.session() as session:  # the 30 days have passed
        await session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(delete_after=utcnow() - timedelta(seconds=1))
        )
    purged = await client.post("/api/v1/retention/purge")
    assert purged.json()["documents_deleted"] == 1, purged.text
    assert_problem(await client.get(f"/api/v1/documents/{document_id}"), 404, "NOT_FOUND")
    log = (await client.get("/api/v1/retention/purge-log")).json()["items"]
    assert [(e["document_id"], e["source"]) for e in log] == [(document_id, "delete_after")]


@pytest.mark.parametrize("settings_overrides", [{**FAST, "analysis_enabled": True}])
async def test_classify_with_the_team_model(client: httpx.AsyncClient) -> None:
    unseen = await processed_text(client, TEXTS["utility-bill"][5], "bill.txt")
    before = (await client.get(f"/api/v1/documents/{unseen}")).json()["document_type"]
    for name in ("utility-bill", "passport"):
        for index in range(3):
            labelled = await processed_text(client, TEXTS[name][index], f"{name}-{index}.txt")
            assert (await label(client, labelled, name)).status_code == 200
    model = await created(client, "/api/v1/classifiers/train")
    await created(client, "/api/v1/tags", json={"name": "reclassify"})
    tags = (await client.get("/api/v1/tags")).json()["items"]
    rule = await create_rule(
        client,
        trigger={"type": "document.tagged", "tag": "reclassify"},
        actions=[{"kind": "classify"}],
    )
    await client.put(f"/api/v1/documents/{unseen}/tags/{tags[0]['id']}")

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["status"] == "succeeded", run
    assert run["steps"][0]["result"]["method"] == "model"
    results = (await client.get(f"/api/v1/documents/{unseen}/results")).json()
    classification = results["intelligence"]["classification"]
    assert classification["method"] == "model" and before != "utility-bill"
    assert classification["model_version"] == f"{model['id']}@v1"
    assert (await client.get(f"/api/v1/documents/{unseen}")).json()[
        "document_type"
    ] == "utility-bill"


async def test_bad_and_other_teams_references_are_refused(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient, second_account: Account
) -> None:
    theirs = await created(second_client, "/api/v1/templates", json=ORDER_TEMPLATE)
    their_batch = await a_batch(second_client, "Theirs")
    bad = [
        {"kind": "apply_template", "template": "no-such-template"},
        {"kind": "apply_template", "template": theirs["id"]},
        {"kind": "run_validation", "template": "purchase-order"},  # only theirs has it
        {"kind": "redact", "entity_types": ["shoe_size"]},
        {"kind": "redact", "entity_types": []},
        {"kind": "classify"},  # the team has no trained model
        {"kind": "move_to_batch", "batch_id": their_batch["id"]},
        {"kind": "share", "user_id": second_account.user_id},
        {"kind": "delete_after", "days": 0},
    ]
    for action in bad:
        response = await client.post(
            "/api/v1/automations",
            json={"name": "bad", "trigger": {"type": "document.uploaded"}, "actions": [action]},
        )
        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert "actions" in body["errors"][0]["field"], (action, body)
    assert (await client.get("/api/v1/automations")).json()["items"] == []
