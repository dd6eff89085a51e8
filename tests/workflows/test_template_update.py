"""PATCH of a workflow template: a partial update checked as a create is (422 and nothing
changed), audited, permission-checked, another team's 404; instances already running keep the
steps they started with (they hold a copy)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Account, client_for
from tests.helpers import assert_problem, upload_ok

NO_WORKERS = pytest.mark.parametrize(
    "settings_overrides", [{"workers": 0, "workflow_reminder_interval_s": 0}]
)
BASE = "/api/v1/workflows"
TWO_APPROVALS = {
    "name": "Two approvals",
    "description": "First A, then B",
    "steps": [
        {"name": "A", "kind": "approve", "assignee": {"role": "owner"}},
        {"name": "B", "kind": "approve", "assignee": {"role": "owner"}},
    ],
}


async def created(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(BASE, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def patched(client: httpx.AsyncClient, workflow_id: str, body: object) -> httpx.Response:
    return await client.patch(f"{BASE}/{workflow_id}", json=body)


def open_task(instance: dict[str, Any]) -> dict[str, Any]:
    [task] = [t for t in instance["tasks"] if t["state"] == "open"]
    return dict(task)


def without_timestamps(template: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in template.items() if k != "updated_at"}


@NO_WORKERS
async def test_only_the_fields_sent_change_and_the_change_is_audited(
    client: httpx.AsyncClient,
) -> None:
    workflow = await created(client, TWO_APPROVALS)
    renamed = await patched(client, workflow["id"], {"name": "Renamed"})
    cleared = await patched(client, workflow["id"], {"description": None})
    audit = await client.get(
        "/api/v1/audit/logs", params={"action": "workflows.update", "resource_id": workflow["id"]}
    )

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["description"] == "First A, then B"
    assert renamed.json()["steps"] == workflow["steps"]
    assert cleared.json()["description"] is None and cleared.json()["name"] == "Renamed"
    entries = audit.json()["items"]
    assert [e["changed_fields"] for e in entries] == [["description"], ["name"]]
    assert {e["outcome"] for e in entries} == {"success"}


INVALID: dict[str, object] = {
    "cycle": {
        "steps": [
            {"name": "A", "kind": "review", "assignee": {"role": "owner"}, "next": "B"},
            {"name": "B", "kind": "review", "assignee": {"role": "owner"}, "next": "A"},
        ]
    },
    "unknown target": {
        "steps": [{"name": "A", "kind": "review", "assignee": {"role": "owner"}, "next": "Z"}]
    },
    "no steps": {"steps": []},
    "null steps": {"steps": None},
    "null name": {"name": None},
    "blank name": {"name": "  "},
    "human step without assignee": {"steps": [{"name": "A", "kind": "approve"}]},
    "unknown role": {
        "steps": [{"name": "A", "kind": "approve", "assignee": {"role": "nobody-here"}}]
    },
    "not an object": ["name"],
}


@NO_WORKERS
async def test_an_invalid_update_is_422_and_changes_nothing(
    client: httpx.AsyncClient, second_account: Account
) -> None:
    workflow = await created(client, TWO_APPROVALS)
    outsider = {
        "name": "Renamed too",
        "steps": [{"name": "A", "kind": "review", "assignee": {"user_id": second_account.user_id}}],
    }
    for case, body in [*INVALID.items(), ("another team's user", outsider)]:
        response = await patched(client, workflow["id"], body)
        assert response.status_code == 422, case
        assert_problem(response, 422, "VALIDATION_ERROR")
    cycle = await patched(client, workflow["id"], INVALID["cycle"])
    after = (await client.get(f"{BASE}/{workflow['id']}")).json()

    assert "cycles" in cycle.json()["detail"]
    assert after == workflow


@NO_WORKERS
async def test_a_running_instance_keeps_the_steps_it_started_with(
    client: httpx.AsyncClient,
) -> None:
    workflow = await created(client, TWO_APPROVALS)
    first_document = await upload_ok(client, content=b"first", filename="1.txt")
    second_document = await upload_ok(client, content=b"second", filename="2.txt")
    running = (
        await client.post(
            f"{BASE}/{workflow['id']}/instances", json={"document_id": first_document["id"]}
        )
    ).json()
    changed = await patched(
        client,
        workflow["id"],
        {"steps": [{"name": "Only", "kind": "review", "assignee": {"role": "owner"}}]},
    )
    after_a = await client.post(f"{BASE}/tasks/{open_task(running)['id']}/approve", json={})
    newer = (
        await client.post(
            f"{BASE}/{workflow['id']}/instances", json={"document_id": second_document["id"]}
        )
    ).json()

    assert changed.status_code == 200, changed.text
    assert [s["name"] for s in changed.json()["steps"]] == ["Only"]
    assert after_a.status_code == 200, after_a.text
    assert [s["name"] for s in after_a.json()["steps"]] == ["A", "B"]
    assert after_a.json()["current_step_name"] == "B" and after_a.json()["state"] == "active"
    assert [s["name"] for s in newer["steps"]] == ["Only"]
    assert newer["current_step_name"] == "Only"


@NO_WORKERS
async def test_permissions_and_another_teams_404(
    app: FastAPI,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    viewer_client: httpx.AsyncClient,
) -> None:
    workflow = await created(client, TWO_APPROVALS)
    theirs = await created(second_client, {**TWO_APPROVALS, "name": "Theirs"})
    async with client_for(app) as anonymous:
        nobody = await patched(anonymous, workflow["id"], {"name": "x"})
    viewer = await patched(viewer_client, workflow["id"], {"name": "x"})
    outsider = await patched(second_client, workflow["id"], {"name": "x"})
    onto_theirs = await patched(client, theirs["id"], {"name": "x"})
    missing = await patched(client, "wfl_nothing_here", {"name": "x"})

    assert_problem(nobody, 401, "UNAUTHORIZED")
    assert_problem(viewer, 403, "FORBIDDEN")
    for response in (outsider, onto_theirs, missing):
        assert_problem(response, 404, "NOT_FOUND")
    assert (await client.get(f"{BASE}/{workflow['id']}")).json() == workflow
    assert (await second_client.get(f"{BASE}/{theirs['id']}")).json() == theirs
