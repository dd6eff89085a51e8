"""The "source" condition: who uploaded the document (an API key, a person) and how."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.automations.conftest import create_rule
from tests.helpers import assert_problem, upload_ok


async def dry_run(client: httpx.AsyncClient, source: dict[str, str], document_id: str) -> bool:
    rule = await create_rule(
        client,
        trigger={"type": "document.uploaded"},
        conditions={"kind": "source", **source},
        actions=[{"kind": "notify", "title": "from the scanner"}],
        enabled=False,
    )
    response = await client.post(
        f"/api/v1/automations/{rule['id']}/test", json={"document_id": document_id}
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["matched"])


async def test_a_rule_tells_which_key_and_person_uploaded(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    first = app.state.initial_credentials  # the admin: its key, and its password
    [key] = (await client.get("/api/v1/keys")).json()["items"]
    item = await upload_ok(client, content=b"scanned page", filename="scan.txt")

    login = await client.post(
        "/api/v1/auth/login", json={"email": first.email, "password": first.password}
    )
    assert login.status_code == 200, login.text
    signed_in = {"Authorization": f"Bearer {login.json()['tokens']['access_token']}"}
    me = (await client.get("/api/v1/auth/me", headers=signed_in)).json()
    by_hand = await upload_ok(
        client, content=b"typed letter", filename="letter.txt", headers=signed_in
    )

    assert await dry_run(client, {"api_key_id": key["id"]}, item["id"])
    assert not await dry_run(client, {"api_key_id": key["id"]}, by_hand["id"])
    assert await dry_run(client, {"user_id": me["id"], "equals": "upload"}, by_hand["id"])
    assert await dry_run(client, {"user_id": me["id"]}, item["id"])  # the key's own person
    assert not await dry_run(client, {"api_key_id": "key_01jd0000000000000000000000"}, item["id"])
    assert not await dry_run(client, {"api_key_id": key["id"], "equals": "batch"}, item["id"])


async def test_a_source_condition_names_something(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/automations",
        json={
            "name": "rule",
            "trigger": {"type": "document.uploaded"},
            "conditions": {"kind": "source"},
            "actions": [{"kind": "notify", "title": "x"}],
        },
    )
    assert_problem(response, 422, "VALIDATION_ERROR")
