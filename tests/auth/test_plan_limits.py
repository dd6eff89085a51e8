"""Plan limits a tenant cannot lift (issue 25 item 9): a key's own rate limit stays under the
plan's, a team's unrevoked keys and a user's teams are counted against the plan, and a new
team starts with ``FOLIO_CREDITS_INITIAL_GRANT`` credits (none by default)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import Account, client_for
from tests.helpers import assert_problem
from tests.smtp import Inbox

LIMITS = {"free": {"api_keys": 3, "teams": 2}, "pro": {"api_keys": 5, "teams": 4}}


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {
        "workers": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox.port,
        "plan_limits": LIMITS,
        "rate_limit_plans": {"free": {"minute": 60, "day": 10_000}, "pro": {"minute": 300}},
    }


async def register(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "a long enough password"}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


async def set_plan(app: FastAPI, team_id: str, plan: str) -> None:
    async with app.state.runtime.db.session() as session:
        await session.execute(
            text("UPDATE teams SET plan = :plan WHERE id = :id"), {"plan": plan, "id": team_id}
        )


async def key_ids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/api/v1/keys")
    assert response.status_code == 200, response.text
    return [k["id"] for k in response.json()["items"]]


class TestKeyRateLimit:
    async def test_create_above_the_plan_is_refused_and_creates_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        before = await key_ids(client)

        response = await client.post(
            "/api/v1/keys", json={"name": "x", "rate_limit_per_minute": 61}
        )

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [
            ("rate_limit_per_minute", "above_plan")
        ]
        assert "60" in body["errors"][0]["message"]
        assert await key_ids(client) == before

    async def test_create_at_the_plan_limit_or_below(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/keys", json={"name": "x", "rate_limit_per_minute": 60}
        )
        assert response.status_code == 201 and response.json()["rate_limit_per_minute"] == 60

    async def test_update_above_the_plan_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        created = (
            await client.post("/api/v1/keys", json={"name": "x", "rate_limit_per_minute": 10})
        ).json()

        response = await client.patch(
            f"/api/v1/keys/{created['id']}", json={"rate_limit_per_minute": 1_000}
        )

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "rate_limit_per_minute"
        stored = (await client.get(f"/api/v1/keys/{created['id']}")).json()
        assert stored["rate_limit_per_minute"] == 10
        lowered = await client.patch(
            f"/api/v1/keys/{created['id']}", json={"rate_limit_per_minute": 30}
        )
        assert lowered.status_code == 200 and lowered.json()["rate_limit_per_minute"] == 30

    async def test_a_pro_team_may_go_higher(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        await set_plan(app, admin.team_id, "pro")
        response = await client.post(
            "/api/v1/keys", json={"name": "x", "rate_limit_per_minute": 300}
        )
        assert response.status_code == 201, response.text

    async def test_a_stored_limit_above_the_plan_is_served_at_the_plan(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        """A key stored before its plan was lowered (or before this check) gets the plan's
        per-minute limit, never its own higher one."""
        created = (
            await client.post("/api/v1/keys", json={"name": "x", "rate_limit_per_minute": 50})
        ).json()
        async with app.state.runtime.db.session() as session:
            await session.execute(
                text("UPDATE api_keys SET rate_limit_per_minute = 5000 WHERE id = :id"),
                {"id": created["id"]},
            )
        async with client_for(app) as raw:
            response = await raw.get(
                "/api/v1/documents", headers={"Authorization": f"Bearer {created['key']}"}
            )
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "60"


class TestKeyCount:
    async def test_a_team_has_at_most_its_plans_keys(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
    ) -> None:
        existing = await key_ids(client)  # the first-start admin key
        for n in range(3 - len(existing)):
            assert (await client.post("/api/v1/keys", json={"name": f"k{n}"})).status_code == 201
        full = await key_ids(client)

        response = await client.post("/api/v1/keys", json={"name": "one too many"})

        body = assert_problem(response, 409, "PLAN_LIMIT")
        assert body["limit"] == "api_keys" and body["allowed"] == 3 and body["used"] == 3
        assert await key_ids(client) == full
        # another team's count is its own
        other = await second_client.post("/api/v1/keys", json={"name": "theirs"})
        assert other.status_code == 201, other.text

    async def test_revoking_frees_a_place_and_rotating_needs_none(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(3 - len(await key_ids(client))):
            await client.post("/api/v1/keys", json={"name": f"k{n}"})
        spare = (await key_ids(client))[-1]

        rotated = await client.post(f"/api/v1/keys/{spare}/rotate", json={"grace_period_s": 0})
        assert rotated.status_code == 201, rotated.text
        assert_problem(await client.post("/api/v1/keys", json={"name": "x"}), 409, "PLAN_LIMIT")

        assert (await client.delete(f"/api/v1/keys/{rotated.json()['id']}")).status_code == 204
        assert (await client.post("/api/v1/keys", json={"name": "x"})).status_code == 201

    async def test_simultaneous_creations_take_turns(self, client: httpx.AsyncClient) -> None:
        """One place left, four requests at once: one key, three PLAN_LIMITs. (In process
        the requests rarely overlap inside the transaction, so this passes on PostgreSQL
        even without the team-row lock; it guards the outcome, not the lock.)"""
        for n in range(2 - len(await key_ids(client))):
            await client.post("/api/v1/keys", json={"name": f"k{n}"})

        responses = await asyncio.gather(
            *(client.post("/api/v1/keys", json={"name": f"race{n}"}) for n in range(4))
        )

        assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
        assert len(await key_ids(client)) == 3

    async def test_deactivated_keys_still_count(self, client: httpx.AsyncClient) -> None:
        """An inactive key can be re-armed by an update, so it keeps its place."""
        for n in range(3 - len(await key_ids(client))):
            await client.post("/api/v1/keys", json={"name": f"k{n}"})
        last = (await key_ids(client))[-1]
        await client.patch(f"/api/v1/keys/{last}", json={"is_active": False})
        assert_problem(await client.post("/api/v1/keys", json={"name": "x"}), 409, "PLAN_LIMIT")


class TestTeamCount:
    async def test_a_user_creates_at_most_the_plans_teams(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        ann = await register(anonymous_client, "ann@example.com")
        bob = await register(anonymous_client, "bob@example.com")
        first = await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "One"})
        assert first.status_code == 201, first.text  # with the personal team: 2 of 2

        response = await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "Two"})

        body = assert_problem(response, 409, "PLAN_LIMIT")
        assert body["limit"] == "teams" and body["allowed"] == 2
        names = [
            t["name"]
            for t in (await anonymous_client.get("/api/v1/teams", headers=ann)).json()["items"]
        ]
        assert "Two" not in names and len(names) == 2
        # another user's allowance is untouched by ann's
        theirs = await anonymous_client.post("/api/v1/teams", headers=bob, json={"name": "B"})
        assert theirs.status_code == 201, theirs.text

    async def test_deleting_a_team_frees_a_place_and_a_larger_plan_allows_more(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        ann = await register(anonymous_client, "ann@example.com")
        team = (
            await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "One"})
        ).json()
        assert (
            await anonymous_client.delete(f"/api/v1/teams/{team['id']}", headers=ann)
        ).status_code == 204
        again = await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "Again"})
        assert again.status_code == 201, again.text

        await set_plan(app, again.json()["id"], "pro")  # ann owns a pro team now: 4 teams
        for name in ("Three", "Four"):
            created = await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": name})
            assert created.status_code == 201, created.text
        assert_problem(
            await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "Five"}),
            409,
            "PLAN_LIMIT",
        )


class TestStartingCredits:
    async def test_a_new_team_starts_with_no_credits_and_an_admin_grants_them(
        self, app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
    ) -> None:
        ann = await register(anonymous_client, "ann@example.com")
        bob = await register(anonymous_client, "bob@example.com")
        team = (
            await anonymous_client.post("/api/v1/teams", headers=ann, json={"name": "New"})
        ).json()
        in_team = {**ann, "X-Team-Id": team["id"]}

        for headers in (ann, in_team, bob):
            balance = await anonymous_client.get("/api/v1/credits/balance", headers=headers)
            assert balance.status_code == 200 and balance.json()["current_balance"] == 0

        login = await anonymous_client.post(
            "/api/v1/auth/login",
            json={"email": admin.email, "password": app.state.initial_credentials.password},
        )
        system_admin = {"Authorization": f"Bearer {login.json()['tokens']['access_token']}"}
        granted = await anonymous_client.post(
            "/api/v1/credits/grants",
            headers=system_admin,
            json={"team_id": team["id"], "amount": 25},
        )
        assert granted.status_code == 201, granted.text
        balance = await anonymous_client.get("/api/v1/credits/balance", headers=in_team)
        assert balance.json()["current_balance"] == 25
        others = await anonymous_client.get("/api/v1/credits/balance", headers=bob)
        assert others.json()["current_balance"] == 0  # the grant went to that team alone
        # a team owner is no system administrator: they cannot grant themselves credits
        assert_problem(
            await anonymous_client.post(
                "/api/v1/credits/grants",
                headers=in_team,
                json={"team_id": team["id"], "amount": 1000},
            ),
            403,
            "FORBIDDEN",
        )

    @pytest.mark.parametrize(
        "settings_overrides", [{"workers": 0, "credits_initial_grant": 5}], indirect=False
    )
    async def test_the_starting_grant_is_configurable(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        ann = await register(anonymous_client, "ann@example.com")
        balance = await anonymous_client.get("/api/v1/credits/balance", headers=ann)
        assert balance.json()["current_balance"] == 5
