"""The require_approval action: a rule routes a document into a workflow's approval steps."""

from __future__ import annotations

import httpx
import pytest

from tests.automations.conftest import create_rule, settled_runs
from tests.helpers import assert_problem, upload_ok, wait_settled

pytestmark = pytest.mark.timeout(120)
APPROVAL = {
    "name": "Approve uploads",
    "steps": [{"name": "Approve", "kind": "approve", "assignee": {"role": "admin"}}],
}


async def test_a_rule_routes_a_document_into_an_approval(client: httpx.AsyncClient) -> None:
    workflow = (await client.post("/api/v1/workflows", json=APPROVAL)).json()
    rule = await create_rule(
        client,
        trigger={"type": "document.uploaded"},
        actions=[{"kind": "require_approval", "workflow_id": workflow["id"]}],
    )
    item = await upload_ok(client, content=b"please approve", filename="a.txt")
    await wait_settled(client, item["id"])

    [run] = await settled_runs(client, rule["id"], 1)
    assert run["status"] == "succeeded", run
    instances = (
        await client.get("/api/v1/workflows/instances", params={"document_id": item["id"]})
    ).json()["items"]
    assert [i["template_id"] for i in instances] == [workflow["id"]]
    assert instances[0]["state"] == "active"
    assert run["steps"][0]["result"]["instance_id"] == instances[0]["id"]

    dry = await client.post(
        f"/api/v1/automations/{rule['id']}/test", json={"document_id": item["id"]}
    )
    assert dry.json()["actions"] == [
        {"kind": "require_approval", "preview": f"start workflow {workflow['id']} for approval"}
    ]


async def test_an_unknown_workflow_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/automations",
        json={
            "name": "rule",
            "trigger": {"type": "document.uploaded"},
            "actions": [
                {"kind": "require_approval", "workflow_id": "wfl_01jd0000000000000000000000"}
            ],
        },
    )
    assert_problem(response, 422, "VALIDATION_ERROR")
