"""System admins change a team's plan and quota overrides, and see every team's usage."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Account
from tests.helpers import assert_problem, upload, upload_ok

QUOTAS = {"free": {"api_calls": None, "documents_processed": 100, "storage_bytes": None}}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0, "quota_plans": QUOTAS}


async def test_a_quota_override_applies_at_once_and_usage_shows_it(
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    second_account: Account,
    admin_session: dict[str, str],
) -> None:
    await upload_ok(second_client, content=b"one", filename="1.txt")
    team = f"/api/v1/admin/teams/{second_account.team_id}"

    changed = await client.patch(
        team,
        headers=admin_session,
        json={"plan": "pro", "quota_overrides": {"documents_processed": 1}},
    )
    refused = await upload(second_client, content=b"two", filename="2.txt")
    current = (await second_client.get("/api/v1/usage/current")).json()
    cleared = await client.patch(team, headers=admin_session, json={"quota_overrides": {}})
    accepted = await upload(second_client, content=b"three", filename="3.txt")
    usage = (await client.get("/api/v1/admin/usage", headers=admin_session)).json()

    assert changed.status_code == 200, changed.text
    assert changed.json()["plan"] == "pro"
    assert changed.json()["quota_overrides"] == {"documents_processed": 1}
    assert_problem(refused, 429, "QUOTA_EXCEEDED")
    assert current["documents_processed"]["limit"] == 1
    assert cleared.json()["quota_overrides"] == {}
    assert accepted.status_code == 202, accepted.text
    row = next(t for t in usage["per_team"] if t["team_id"] == second_account.team_id)
    assert (row["plan"], row["documents"], row["documents_processed"]) == ("pro", 2, 2)
    assert row["storage_bytes"] == len(b"one") + len(b"three")
    assert usage["users"] == 2 and usage["teams"] == 2
    assert usage["documents"] == 2


async def test_unknown_plans_teams_and_quotas_are_refused(
    client: httpx.AsyncClient, second_account: Account, admin_session: dict[str, str]
) -> None:
    team = f"/api/v1/admin/teams/{second_account.team_id}"
    plan = await client.patch(team, headers=admin_session, json={"plan": "platinum"})
    quota = await client.patch(team, headers=admin_session, json={"quota_overrides": {"x": 1}})
    negative = await client.patch(
        team, headers=admin_session, json={"quota_overrides": {"api_calls": -1}}
    )
    missing = await client.patch(
        "/api/v1/admin/teams/team_01jd0000000000000000000000", headers=admin_session, json={}
    )
    assert_problem(plan, 422, "VALIDATION_ERROR")
    assert_problem(quota, 422, "VALIDATION_ERROR")
    assert_problem(negative, 422, "VALIDATION_ERROR")
    assert_problem(missing, 404, "NOT_FOUND")


async def test_a_team_admin_who_is_not_a_system_admin_cannot_change_plans(
    app: FastAPI, second_client: httpx.AsyncClient, second_account: Account
) -> None:
    refused = await second_client.patch(
        f"/api/v1/admin/teams/{second_account.team_id}", json={"plan": "pro"}
    )
    assert_problem(refused, 403, "FORBIDDEN")
