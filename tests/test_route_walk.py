"""Every route of the app, generated from the app itself so new routes are covered:
anonymous → 401, another team's user → 404 on the first team's resources, viewer → 403 on
writes. A route this walk cannot exercise makes it fail, naming the route."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from folio.auth.resolver import principal_for_user
from folio.directory.models import SyncTrigger
from folio.directory.runs import sync_team
from folio.directory.schemas import LdapDirectoryWrite, ScimTokenCreate
from folio.directory.service import ldap_directory as ldap_service
from folio.directory.tokens import scim_token as scim_token_service
from folio.users.repository import UserRepository
from tests.factories import Account
from tests.helpers import upload_ok

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/login/mfa"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/password/forgot"),
    ("POST", "/api/v1/auth/password/reset"),
    ("POST", "/api/v1/auth/verify-email"),
    ("GET", "/api/v1/shared/{token}"),  # a share link's token is the credential
    ("POST", "/api/v1/auth/ldap/login"),
    ("POST", "/api/v1/sso/flows"),  # single sign-on starts signed out
    ("POST", "/api/v1/sso/flows/{flow_id}/callback"),  # its state is the credential
}
# writes any signed-in user may make for themselves (their own account, their own new team)
SELF_SERVICE_PREFIXES = ("/api/v1/auth/", "/api/v1/invitations/", "/api/v1/notifications")
SELF_SERVICE = {("POST", "/api/v1/teams"), ("POST", "/api/v1/sso/logout")}
# POSTs that only read (analyses on demand): a viewer may call them
READ_ONLY_POSTS = {("POST", "/api/v1/ai/extract-entities"), ("POST", "/api/v1/ai/summarize")}
READ_ONLY_POSTS |= {("POST", "/api/v1/documents/{document_id}/validate")}
READ_ONLY_POSTS |= {("POST", "/api/v1/ai/predict")}
READ_ONLY_POSTS |= {("POST", "/api/v1/reports")}

WALK_SETTINGS = {
    "workers": 0,
    "webhook_allowed_hosts": ["127.0.0.1"],
    "rate_limit_enabled": False,  # this walk is about tenancy; tests/ratelimit cover limits
}

SAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/teams/{team_id}"): {"name": "Renamed"},
    ("PATCH", "/api/v1/teams/{team_id}/members/{user_id}"): {"role": "viewer"},
    ("POST", "/api/v1/teams/{team_id}/invitations"): {"email": "x@example.com"},
    ("POST", "/api/v1/teams/{team_id}/roles"): {"name": "r", "permissions": ["documents:read"]},
    ("PATCH", "/api/v1/teams/{team_id}/roles/{role_id}"): {"name": "r2"},
    ("POST", "/api/v1/teams/{team_id}/role-assignments"): {
        "user_id": "{user_id}",
        "role": "viewer",
    },
    ("PATCH", "/api/v1/keys/{key_id}"): {"name": "renamed"},
    ("POST", "/api/v1/projects"): {"name": "walk"},
    ("POST", "/api/v1/crawl-jobs"): {
        "project_id": "{project_id}",
        "seeds": ["http://127.0.0.1:9/"],
    },
    ("POST", "/api/v1/jobs"): {"project_id": "{project_id}", "seeds": ["http://127.0.0.1:9/"]},
    ("POST", "/api/v1/credits/grants"): {"team_id": "{team_id}", "amount": 1},
    ("PUT", "/api/v1/documents/{document_id}/classification"): {"document_type": "invoice"},
    ("POST", "/api/v1/documents/{document_id}/redactions"): {"entity_types": ["email"]},
    ("POST", "/api/v1/system/maintenance"): {"message": "walk"},
    ("POST", "/api/v1/system/broadcasts"): {"message": "walk"},
    ("POST", "/api/v1/templates/{template_id}/apply"): {"batch_id": "{batch_id}"},
    ("PATCH", "/api/v1/tickets/{ticket_id}/status"): {"status": "in_progress"},
    ("POST", "/api/v1/reports"): {"kind": "usage", "format": "csv"},
    ("POST", "/api/v1/report-schedules"): {
        "kind": "usage",
        "cadence": "weekly",
        "recipients": ["walk@example.com"],
    },
    ("POST", "/api/v1/workflows/{workflow_id}/instances"): {"document_id": "{document_id}"},
    ("POST", "/api/v1/workflows/instances/{instance_id}/comments"): {"body": "walk"},
    ("POST", "/api/v1/workflows/tasks/{task_id}/reassign"): {"role": "admin"},
    ("PUT", "/api/v1/documents/{document_id}/fields/{field_id}"): {"value": "walk"},
    ("POST", "/api/v1/automations/{automation_id}/test"): {"document_id": "{document_id}"},
    ("POST", "/api/v1/documents/{document_id}/extractions/{extraction_id}/corrections"): {
        "field": "total",
        "value": "1",
    },
}


@dataclass
class Owned:
    """Resources of the admin's team, to aim other principals at."""

    ids: dict[str, str]

    def fill(self, path: str) -> str:
        return re.sub(r"{(\w+)}", lambda m: self.ids[m.group(1)], path)

    def body(self, method: str, path: str) -> dict[str, Any] | None:
        sample = SAMPLE_BODIES.get((method, path))
        if sample is None:
            return None
        return {k: self.fill(v) if isinstance(v, str) else v for k, v in sample.items()}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """From the app's own OpenAPI document, which lists every route (a convention the
    OpenAPI test enforces), so a new route joins the walk without anyone editing it."""
    paths = app.openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
    )


async def request(
    client: httpx.AsyncClient, owned: Owned, method: str, path: str
) -> httpx.Response:
    body = owned.body(method, path)
    if method in ("GET", "DELETE"):
        return await client.request(method, owned.fill(path))
    return await client.request(method, owned.fill(path), json=body if body is not None else {})


@pytest.fixture
async def owned(
    app: FastAPI, client: httpx.AsyncClient, admin: Account, viewer_account: Account
) -> Owned:
    me = (await client.get("/api/v1/auth/me")).json()
    webhook = (
        await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    ).json()
    document = await upload_ok(client, content=b"team A minutes", filename="a.txt")
    batch = (
        await client.post(
            "/api/v1/batches", files=[("files", ("b.txt", b"team A batch", "text/plain"))]
        )
    ).json()
    key = (await client.post("/api/v1/keys", json={"name": "walk"})).json()
    role = (
        await client.post(
            f"/api/v1/teams/{admin.team_id}/roles",
            json={"name": "auditor", "permissions": ["audit:read"]},
        )
    ).json()
    assignment = (
        await client.post(
            f"/api/v1/teams/{admin.team_id}/role-assignments",
            json={"user_id": viewer_account.user_id, "role": role["id"]},
        )
    ).json()
    invitation = (
        await client.post(
            f"/api/v1/teams/{admin.team_id}/invitations", json={"email": "newcomer@example.com"}
        )
    ).json()
    await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{viewer_account.user_id}", json={"role": "viewer"}
    )  # team.role_changed notifies the admin
    notification = (await client.get("/api/v1/notifications")).json()["items"][0]
    project = (await client.post("/api/v1/projects", json={"name": "walk"})).json()
    crawl_job = (
        await client.post(
            "/api/v1/crawl-jobs",
            json={"project_id": project["id"], "seeds": ["http://127.0.0.1:9/"]},
        )
    ).json()
    dataset = (await client.post(f"/api/v1/projects/{project['id']}/datasets", json={})).json()
    deliveries = (await client.get(f"/api/v1/webhooks/{webhook['id']}/deliveries")).json()["items"]
    share = (await client.post(f"/api/v1/documents/{document['id']}/shares", json={})).json()
    template = (
        await client.post(
            "/api/v1/templates",
            json={"name": "walk", "fields": [{"name": "total", "type": "money"}]},
        )
    ).json()
    ticket = (
        await client.post(
            "/api/v1/tickets",
            json={"user_name": "A", "error_type": "OCR Failure", "description": "walk"},
        )
    ).json()
    report = (await client.post("/api/v1/reports", json={"kind": "usage"})).json()
    schedule = (
        await client.post(
            "/api/v1/report-schedules",
            json={"kind": "usage", "cadence": "weekly", "recipients": ["walk@example.com"]},
        )
    ).json()
    policy = (
        await client.post("/api/v1/retention/policies", json={"target": "results", "days": 30})
    ).json()
    hold = (
        await client.post(
            "/api/v1/legal-holds", json={"document_id": document["id"], "reason": "walk"}
        )
    ).json()
    erasure = (await client.post("/api/v1/erasure-requests", json={"name": "Nobody Here"})).json()
    workflow = (
        await client.post(
            "/api/v1/workflows",
            json={
                "name": "walk",
                "steps": [{"name": "A", "kind": "approve", "assignee": {"role": "admin"}}],
            },
        )
    ).json()
    instance = (
        await client.post(
            f"/api/v1/workflows/{workflow['id']}/instances", json={"document_id": document["id"]}
        )
    ).json()
    scim_token_id, sync_run_id = await directory_rows(app, admin)
    tag = (await client.post("/api/v1/tags", json={"name": "walk"})).json()
    field = (
        await client.post("/api/v1/custom-fields", json={"name": "walk", "type": "text"})
    ).json()
    automation = (
        await client.post(
            "/api/v1/automations",
            json={
                "name": "walk",
                "trigger": {"type": "document.uploaded"},
                "actions": [{"kind": "notify", "title": "walk"}],
            },
        )
    ).json()
    return Owned(
        {
            "workflow_id": workflow["id"],
            "instance_id": instance["id"],
            "task_id": instance["tasks"][0]["id"],
            "automation_id": automation["id"],
            "tag_id": tag["id"],
            "field_id": field["id"],
            "report_id": report["id"],
            "schedule_id": schedule["id"],
            "policy_id": policy["id"],
            "hold_id": hold["id"],
            "erasure_id": erasure["id"],
            "document_id": document["id"],
            "batch_id": batch["id"],
            "team_id": admin.team_id,
            "user_id": me.get("id", ""),
            "key_id": key["id"],
            "role_id": role["id"],
            "assignment_id": assignment["id"],
            "invitation_id": invitation["id"],
            "session_id": "ses_01jd0000000000000000000000",
            "webhook_id": webhook["id"],
            "delivery_id": deliveries[0]["id"],
            "notification_id": notification["id"],
            "project_id": project["id"],
            "job_id": crawl_job["id"],
            "dataset_id": dataset["id"],
            "image_id": "img_01jd0000000000000000000000",  # images need a crawl: see tests/crawls
            # processing is off in this walk: these never exist, yet every check applies
            "redaction_id": "red_01jd0000000000000000000000",
            "classifier_id": "clf_01jd0000000000000000000000",
            "recommendation_id": "rec_01jd0000000000000000000000",
            "action_id": "act_01jd0000000000000000000000",
            "share_id": share["id"],
            "template_id": template["id"],
            "ticket_id": ticket["id"],
            "token_id": scim_token_id,
            "run_id": sync_run_id,
            # a provider needs a live issuer to be created: tests/sso walks real ones
            "provider_id": "idp_01jd0000000000000000000000",
            "extraction_id": "ext_01jd0000000000000000000000",  # needs a processed document
        }
    )


async def directory_rows(app: FastAPI, admin: Account) -> tuple[str, str]:
    """A SCIM token and an LDAP sync run of the admin's team, made through the services: their
    routes need a signed-in session, and the walkers hold API keys. The directory's address is
    refused (not on FOLIO_LDAP_ALLOWED_HOSTS), so the run is a failed one."""
    runtime = app.state.runtime
    async with runtime.db.session() as session:
        user = await UserRepository.from_session(session).get_by_email(admin.email)
        assert user is not None
        principal = await principal_for_user(session, user, admin.team_id)
        token = await scim_token_service.create(session, principal, ScimTokenCreate(name="walk"))
        directory = await ldap_service.put(
            session,
            principal,
            LdapDirectoryWrite(url="ldap://127.0.0.1:9", user_base="dc=x", default_role="viewer"),
        )
    run = await sync_team(runtime, directory.team_id, SyncTrigger.manual)
    assert run is not None
    return token.id, run.id


@pytest.mark.parametrize("settings_overrides", [WALK_SETTINGS])
async def test_anonymous_gets_401_everywhere_but_public_routes(
    app: FastAPI, anonymous_client: httpx.AsyncClient, owned: Owned
) -> None:
    failures, walked = [], 0
    for method, path in api_routes(app):
        if (method, path) in PUBLIC:
            continue
        walked += 1
        response = await request(anonymous_client, owned, method, path)
        if response.status_code != 401:
            failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []
    assert walked >= 40


# account-security routes refuse API keys (the walkers) before looking at the id (issue 25)
INTERACTIVE_ONLY = {("DELETE", "/api/v1/auth/sessions/{session_id}")}
INTERACTIVE_ONLY |= {
    ("POST", "/api/v1/directory/scim-tokens/{token_id}/rotate"),
    ("DELETE", "/api/v1/directory/scim-tokens/{token_id}"),
    ("PATCH", "/api/v1/sso/providers/{provider_id}"),  # tests/sso: another team's is 404
    ("DELETE", "/api/v1/sso/providers/{provider_id}"),
}
# system administration spans every team: a caller without system:admin gets 403 there
SYSTEM_ADMIN_PREFIX = "/api/v1/admin/"


@pytest.mark.parametrize("settings_overrides", [WALK_SETTINGS])
async def test_another_team_gets_404_on_every_resource(
    app: FastAPI, second_client: httpx.AsyncClient, client: httpx.AsyncClient, owned: Owned
) -> None:
    failures, walked = [], 0
    for method, path in api_routes(app):
        if "{" not in path or (method, path) in PUBLIC:
            continue
        walked += 1
        response = await request(second_client, owned, method, path)
        if (method, path) in INTERACTIVE_ONLY and response.status_code == 403:
            continue  # API keys never reach these; another user's session is 404 in tests/auth
        if path.startswith(SYSTEM_ADMIN_PREFIX) and response.status_code == 403:
            continue  # tests/admin: a non-admin is refused before any id is looked up
        if response.status_code != 404:
            failures.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
    assert failures == []
    assert walked >= 30
    still_there = await client.get(f"/api/v1/documents/{owned.ids['document_id']}")
    assert still_there.status_code == 200


@pytest.mark.parametrize("settings_overrides", [WALK_SETTINGS])
async def test_another_team_lists_none_of_the_first_teams_data(
    second_client: httpx.AsyncClient, owned: Owned
) -> None:
    for path in ("/api/v1/documents", "/api/v1/batches", "/api/v1/keys"):
        listed = (await second_client.get(path)).json()["items"]
        assert all(item["id"] not in owned.ids.values() for item in listed), path
    teams = (await second_client.get("/api/v1/teams")).json()["items"]
    assert owned.ids["team_id"] not in [t["id"] for t in teams]


@pytest.mark.parametrize("settings_overrides", [WALK_SETTINGS])
async def test_viewer_gets_403_on_every_write(
    app: FastAPI, viewer_client: httpx.AsyncClient, owned: Owned
) -> None:
    failures, walked = [], 0
    for method, path in api_routes(app):
        if method == "GET" or (method, path) in PUBLIC | SELF_SERVICE | READ_ONLY_POSTS:
            continue
        if path.startswith(SELF_SERVICE_PREFIXES):
            continue
        walked += 1
        response = await request(viewer_client, owned, method, path)
        if response.status_code != 403:
            failures.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
    assert failures == []
    assert walked >= 20
