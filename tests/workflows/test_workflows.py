"""Workflows with approval steps through the API: a two-step approval (review by a member,
approve by an admin), reject and reassign, reminders for an overdue task, invalid templates,
and tenancy. Only the end-to-end approval processes its document (set_classification waits
for that); the others run without workers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from folio.core.db import utcnow
from folio.core.permissions import BuiltinRole
from folio.workflows.reminders import remind_overdue
from tests.conftest import SCALEOUT
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem, upload_ok, wait_settled

NO_WORKERS = pytest.mark.parametrize(
    "settings_overrides", [{"workers": 0, "workflow_reminder_interval_s": 0}]
)
BASE = "/api/v1/workflows"


async def member_of(app: FastAPI, admin: Account, email: str, role: BuiltinRole) -> Account:
    return await create_account(app, email, join_team=admin.team_id, role=role)


async def created(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(BASE, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def started(client: httpx.AsyncClient, workflow_id: str, document_id: str) -> dict[str, Any]:
    response = await client.post(
        f"{BASE}/{workflow_id}/instances", json={"document_id": document_id}
    )
    assert response.status_code == 201, response.text
    return response.json()


def open_task(instance: dict[str, Any]) -> dict[str, Any]:
    [task] = [t for t in instance["tasks"] if t["state"] == "open"]
    return task


async def notifications(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/notifications", params={"category": "workflows"})
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize("settings_overrides", [{"workflow_reminder_interval_s": 0}])
async def test_a_two_step_approval_runs_end_to_end(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    mia = await member_of(app, admin, "mia@example.com", BuiltinRole.member)
    ada = await member_of(app, admin, "ada@example.com", BuiltinRole.admin)
    workflow = await created(
        client,
        {
            "name": "Invoice approval",
            "steps": [
                {"name": "Review", "kind": "review", "assignee": {"user_id": mia.user_id}},
                {"name": "Classify", "kind": "set_classification", "document_type": "invoice"},
                {
                    "name": "Approve",
                    "kind": "approve",
                    "assignee": {"role": "admin"},
                    "due_in": "P2D",
                },
                {"name": "Tell", "kind": "notify", "message": "Invoice approved, pay it"},
            ],
        },
    )
    document = await upload_ok(client, content=b"Invoice 42, total 1200 EUR", filename="i.txt")
    await wait_settled(client, document["id"])  # else processing would replace the type
    instance = await started(client, workflow["id"], document["id"])
    review = open_task(instance)

    async with client_for(app, mia) as as_mia, client_for(app, ada) as as_ada:
        mia_tasks = (await as_mia.get(f"{BASE}/tasks")).json()["items"]
        ada_before = (await as_ada.get(f"{BASE}/tasks")).json()["items"]
        reviewed = await as_mia.post(
            f"{BASE}/tasks/{review['id']}/approve", json={"comment": "Amounts match"}
        )
        approval = open_task(reviewed.json())
        mia_denied = await as_mia.post(f"{BASE}/tasks/{approval['id']}/approve", json={})
        ada_tasks = (await as_ada.get(f"{BASE}/tasks")).json()["items"]
        owner_tasks = (await client.get(f"{BASE}/tasks")).json()["items"]
        done = await as_ada.post(f"{BASE}/tasks/{approval['id']}/approve", json={"comment": "OK"})
        mia_notes = await notifications(as_mia)
        ada_notes = await notifications(as_ada)
        again = await as_ada.post(f"{BASE}/tasks/{approval['id']}/approve", json={})

    assert instance["state"] == "active" and instance["current_step_name"] == "Review"
    assert review["assignee_user_id"] == mia.user_id and review["kind"] == "review"
    assert [t["id"] for t in mia_tasks] == [review["id"]]
    assert ada_before == []
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["current_step_name"] == "Approve"
    assert approval["assignee_role"] == "admin" and approval["due_at"] is not None
    assert_problem(mia_denied, 403, "FORBIDDEN")
    assert [t["id"] for t in ada_tasks] == [approval["id"]]
    assert [t["id"] for t in owner_tasks] == [approval["id"]]  # owners hold the admin role
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed" and done.json()["current_step"] is None
    assert_problem(again, 409, "TASK_CLOSED")
    classified = (await client.get(f"/api/v1/documents/{document['id']}")).json()
    assert classified["document_type"] == "invoice"

    history = (await client.get(f"{BASE}/instances/{instance['id']}/history")).json()["items"]
    assert [e["kind"] for e in history] == [
        "started",
        "task_opened",
        "task_approved",
        "step_executed",
        "task_opened",
        "task_approved",
        "step_executed",
        "completed",
    ]
    assert history[2]["comment"] == "Amounts match" and history[2]["actor_user_id"] == mia.user_id
    events = (await client.get("/api/v1/events", params={"limit": 100})).json()["items"]
    workflow_events = [e["type"] for e in events if e["type"].startswith("workflow.")]
    assert workflow_events == [
        "workflow.started",
        "workflow.task_assigned",
        "workflow.task_approved",
        "workflow.step_executed",
        "workflow.task_assigned",
        "workflow.task_approved",
        "workflow.step_executed",
        "workflow.completed",
    ]
    mia_titles = {n["title"] for n in mia_notes}
    assert "A workflow task for you" in mia_titles  # the review
    assert "A workflow completed" in mia_titles and "A workflow step ran" in mia_titles
    assert any("Invoice approved, pay it" in n["body"] for n in mia_notes)
    assert "A workflow task for you" in {n["title"] for n in ada_notes}  # the approval, by role
    assert "A workflow task was approved" not in {n["title"] for n in ada_notes}  # her own
    starter_titles = [n["title"] for n in await notifications(client)]
    assert starter_titles.count("A workflow task was approved") == 2  # mia's, then ada's
    assert "A workflow completed" in starter_titles


@NO_WORKERS
async def test_reassign_then_reject_ends_the_instance_rejected(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    mia = await member_of(app, admin, "mia@example.com", BuiltinRole.member)
    max_ = await member_of(app, admin, "max@example.com", BuiltinRole.member)
    workflow = await created(
        client,
        {
            "name": "Contract check",
            "steps": [
                {"name": "Check", "kind": "approve", "assignee": {"user_id": mia.user_id}},
                {"name": "Fix", "kind": "correct_fields", "assignee": {"role": "member"}},
            ],
        },
    )
    document = await upload_ok(client, content=b"Contract between A and B", filename="c.txt")
    instance = await started(client, workflow["id"], document["id"])
    task = open_task(instance)

    async with client_for(app, mia) as as_mia, client_for(app, max_) as as_max:
        max_denied = await as_max.post(f"{BASE}/tasks/{task['id']}/reject", json={})
        unknown = await as_mia.post(
            f"{BASE}/tasks/{task['id']}/reassign", json={"user_id": "usr_nobody"}
        )
        moved = await as_mia.post(
            f"{BASE}/tasks/{task['id']}/reassign",
            json={"user_id": max_.user_id, "comment": "Max knows this client"},
        )
        mia_after = await as_mia.post(f"{BASE}/tasks/{task['id']}/reject", json={})
        max_tasks = (await as_max.get(f"{BASE}/tasks")).json()["items"]
        rejected = await as_max.post(
            f"{BASE}/tasks/{task['id']}/reject", json={"comment": "Wrong counterparty"}
        )
        mia_notes = await notifications(as_mia)
        max_notes = await notifications(as_max)

    assert_problem(max_denied, 403, "FORBIDDEN")
    assert_problem(unknown, 422, "VALIDATION_ERROR")
    assert moved.status_code == 200, moved.text
    assert open_task(moved.json())["assignee_user_id"] == max_.user_id
    assert_problem(mia_after, 403, "FORBIDDEN")
    assert [t["id"] for t in max_tasks] == [task["id"]]
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["state"] == "rejected" and body["ended_at"] is not None
    assert [t["state"] for t in body["tasks"]] == ["rejected"]  # the Fix step never opened
    history = (await client.get(f"{BASE}/instances/{instance['id']}/history")).json()["items"]
    assert [e["kind"] for e in history][-3:] == ["task_reassigned", "task_rejected", "rejected"]
    assert history[-3]["data"]["to"]["user_id"] == max_.user_id
    assert "A workflow task for you" in {n["title"] for n in max_notes}
    assert "A workflow was rejected" in {n["title"] for n in mia_notes}
    rejected_list = (await client.get(f"{BASE}/instances", params={"state": "rejected"})).json()
    assert [i["id"] for i in rejected_list["items"]] == [instance["id"]]


@NO_WORKERS
async def test_on_reject_goes_to_the_named_step_and_fields_are_kept(
    client: httpx.AsyncClient,
) -> None:
    workflow = await created(
        client,
        {
            "name": "Escalate",
            "steps": [
                {
                    "name": "First",
                    "kind": "review",
                    "assignee": {"role": "owner"},
                    "on_reject": "Fix",
                },
                {"name": "Done", "kind": "notify", "message": "reviewed", "next": "Type"},
                {"name": "Fix", "kind": "correct_fields", "assignee": {"role": "owner"}},
                {"name": "Type", "kind": "set_classification", "document_type": "memo"},
                {"name": "End", "kind": "reprocess"},
            ],
        },
    )
    document = await upload_ok(client, content=b"some text", filename="e.txt")
    instance = await started(client, workflow["id"], document["id"])
    twice = await client.post(
        f"{BASE}/{workflow['id']}/instances", json={"document_id": document["id"]}
    )
    first = open_task(instance)
    bad_fields = await client.post(f"{BASE}/tasks/{first['id']}/approve", json={"fields": {"a": 1}})
    to_fix = await client.post(f"{BASE}/tasks/{first['id']}/reject", json={})
    fix = open_task(to_fix.json())
    if SCALEOUT:  # Celery workers process it (workers=0 stops only the embedded pool)
        await wait_settled(client, document["id"])
    fixed = await client.post(
        f"{BASE}/tasks/{fix['id']}/approve", json={"fields": {"total": 1200.5, "payee": "ACME"}}
    )
    history = (await client.get(f"{BASE}/instances/{instance['id']}/history")).json()["items"]

    assert_problem(twice, 409, "WORKFLOW_RUNNING")
    assert_problem(bad_fields, 422, "VALIDATION_ERROR")
    assert to_fix.json()["state"] == "active" and fix["name"] == "Fix"
    assert fixed.json()["fields"] == {"total": 1200.5, "payee": "ACME"}
    assert fixed.json()["state"] == "completed"
    after = (await client.get(f"/api/v1/documents/{document['id']}")).json()
    if SCALEOUT:  # processed: classified, then sent to be processed again
        kinds = ["step_executed", "step_executed", "completed"]
        assert [e["kind"] for e in history][-3:] == kinds
        assert history[-3]["data"]["document_type"] == "memo"
    else:  # still queued (no workers): both steps fail, are recorded, the instance ends
        assert [e["kind"] for e in history][-3:] == ["step_failed", "step_failed", "completed"]
        assert history[-3]["data"]["error"]["code"] == "DOCUMENT_BUSY"
        assert history[-2]["data"]["error"]["code"] == "DOCUMENT_BUSY"
        assert after["document_type"] is None


@NO_WORKERS
async def test_an_overdue_task_is_reminded_once_then_every_period(
    app: FastAPI, client: httpx.AsyncClient, admin: Account
) -> None:
    mia = await member_of(app, admin, "mia@example.com", BuiltinRole.member)
    workflow = await created(
        client,
        {
            "name": "Timely review",
            "steps": [
                {
                    "name": "Review",
                    "kind": "review",
                    "assignee": {"user_id": mia.user_id},
                    "due_in": "PT1H",
                    "remind_every": "PT30M",
                },
            ],
        },
    )
    document = await upload_ok(client, content=b"please review", filename="r.txt")
    instance = await started(client, workflow["id"], document["id"])
    runtime = app.state.runtime
    start = utcnow()

    not_yet = await remind_overdue(runtime, start + timedelta(minutes=59))
    first = await remind_overdue(runtime, start + timedelta(hours=2))
    same_time = await remind_overdue(runtime, start + timedelta(hours=2))
    too_soon = await remind_overdue(runtime, start + timedelta(hours=2, minutes=29))
    second = await remind_overdue(runtime, start + timedelta(hours=2, minutes=31))
    async with client_for(app, mia) as as_mia:
        tasks = (await as_mia.get(f"{BASE}/tasks")).json()["items"]
        notes = await notifications(as_mia)
        await as_mia.post(f"{BASE}/tasks/{tasks[0]['id']}/approve", json={})
    after_done = await remind_overdue(runtime, start + timedelta(hours=5))

    assert (not_yet, first, same_time, too_soon, second, after_done) == (0, 1, 0, 0, 1, 0)
    assert tasks[0]["reminders_sent"] == 2
    assert tasks[0]["overdue"] is False  # by the real clock it is due in an hour
    assert [n["title"] for n in notes].count("A workflow task is overdue") == 2
    history = (await client.get(f"{BASE}/instances/{instance['id']}/history")).json()["items"]
    assert [e["kind"] for e in history].count("reminder_sent") == 2
    events = (await client.get("/api/v1/events", params={"type": "workflow.task_overdue"})).json()[
        "items"
    ]
    assert len(events) == 2 and events[0]["data"]["task_id"] == tasks[0]["id"]


INVALID = {
    "cycle": [
        {"name": "A", "kind": "review", "assignee": {"role": "admin"}},
        {"name": "B", "kind": "approve", "assignee": {"role": "admin"}, "next": "A"},
    ],
    "reject loop": [
        {"name": "A", "kind": "review", "assignee": {"role": "admin"}},
        {"name": "B", "kind": "approve", "assignee": {"role": "admin"}, "on_reject": "A"},
    ],
    "unknown kind": [{"name": "A", "kind": "sign", "assignee": {"role": "admin"}}],
    "unknown target": [{"name": "A", "kind": "review", "assignee": {"role": "admin"}, "next": "Z"}],
    "no assignee": [{"name": "A", "kind": "approve"}],
    "duplicate names": [
        {"name": "A", "kind": "review", "assignee": {"role": "admin"}},
        {"name": "A", "kind": "review", "assignee": {"role": "admin"}},
    ],
    "unknown user": [{"name": "A", "kind": "review", "assignee": {"user_id": "usr_nobody"}}],
    "unknown role": [{"name": "A", "kind": "review", "assignee": {"role": "rol_nothing"}}],
    "bad duration": [
        {"name": "A", "kind": "review", "assignee": {"role": "admin"}, "due_in": "soon"}
    ],
    "notify without message": [{"name": "A", "kind": "notify"}],
}


@NO_WORKERS
async def test_invalid_templates_are_422_and_create_nothing(
    client: httpx.AsyncClient, second_account: Account
) -> None:
    outsider = [{"name": "A", "kind": "review", "assignee": {"user_id": second_account.user_id}}]
    for case, steps in [*INVALID.items(), ("another team's user", outsider)]:
        response = await client.post(BASE, json={"name": case, "steps": steps})
        assert_problem(response, 422, "VALIDATION_ERROR")
    cycle = await client.post(BASE, json={"name": "c", "steps": INVALID["cycle"]})
    assert "cycles" in cycle.json()["detail"]
    assert (await client.get(BASE)).json()["items"] == []


@NO_WORKERS
async def test_another_team_sees_nothing_and_cannot_act(
    app: FastAPI,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    viewer_client: httpx.AsyncClient,
) -> None:
    workflow = await created(
        client,
        {
            "name": "Mine",
            "steps": [{"name": "A", "kind": "approve", "assignee": {"role": "owner"}}],
        },
    )
    document = await upload_ok(client, content=b"team A only", filename="a.txt")
    theirs = await upload_ok(second_client, content=b"team B", filename="b.txt")
    instance = await started(client, workflow["id"], document["id"])
    task = open_task(instance)

    reads = [
        await second_client.get(f"{BASE}/{workflow['id']}"),
        await second_client.get(f"{BASE}/instances/{instance['id']}"),
        await second_client.get(f"{BASE}/instances/{instance['id']}/history"),
    ]
    writes = [
        await second_client.post(f"{BASE}/tasks/{task['id']}/approve", json={}),
        await second_client.post(f"{BASE}/tasks/{task['id']}/reassign", json={"role": "owner"}),
        await second_client.post(
            f"{BASE}/instances/{instance['id']}/comments", json={"body": "hi"}
        ),
        await second_client.post(
            f"{BASE}/{workflow['id']}/instances", json={"document_id": theirs["id"]}
        ),
        await second_client.delete(f"{BASE}/{workflow['id']}"),
    ]
    own = await created(
        second_client,
        {"name": "B", "steps": [{"name": "A", "kind": "review", "assignee": {"role": "owner"}}]},
    )
    onto_ours = await second_client.post(
        f"{BASE}/{own['id']}/instances", json={"document_id": document["id"]}
    )
    viewer_act = await viewer_client.post(f"{BASE}/tasks/{task['id']}/approve", json={})
    viewer_read = await viewer_client.get(f"{BASE}/instances/{instance['id']}")

    for response in [*reads, *writes, onto_ours]:
        assert_problem(response, 404, "NOT_FOUND")
    for path in (BASE, f"{BASE}/instances", f"{BASE}/tasks"):
        listed = (await second_client.get(path)).json()["items"]
        assert {item["id"] for item in listed} <= {own["id"]}, path
    assert_problem(viewer_act, 403, "FORBIDDEN")
    assert viewer_read.status_code == 200
    still = (await client.get(f"{BASE}/instances/{instance['id']}")).json()
    assert still["state"] == "active" and open_task(still)["id"] == task["id"]
    history = (await client.get(f"{BASE}/instances/{instance['id']}/history")).json()["items"]
    assert [e["kind"] for e in history] == ["started", "task_opened"]

    outsider_cancel = await second_client.post(f"{BASE}/instances/{instance['id']}/cancel")
    viewer_cancel = await viewer_client.post(f"{BASE}/instances/{instance['id']}/cancel")
    cancelled = await client.post(f"{BASE}/instances/{instance['id']}/cancel")
    again = await client.post(f"{BASE}/instances/{instance['id']}/cancel")
    assert_problem(outsider_cancel, 404, "NOT_FOUND")
    assert_problem(viewer_cancel, 403, "FORBIDDEN")
    assert cancelled.json()["state"] == "cancelled"
    assert [t["state"] for t in cancelled.json()["tasks"]] == ["cancelled"]
    assert_problem(again, 409, "CONFLICT")
