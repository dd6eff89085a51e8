"""System admins list, search, disable, enable and delete accounts; a disabled account's
keys and sessions stop at their next request."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from folio.auth.principal_cache import AccessWatcher, _Generation
from folio.core.events import ACCESS_CHANGED, Event, InMemoryEventBus
from tests.admin.conftest import session_headers
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok


class TestDisable:
    async def test_a_disabled_accounts_key_and_session_are_refused_at_the_next_request(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_account: Account,
        admin_session: dict[str, str],
    ) -> None:
        session = await session_headers(app, second_account.email)
        key = second_account.headers
        before = await anonymous_client.get("/api/v1/documents", headers=key)
        before_session = await anonymous_client.get("/api/v1/auth/me", headers=session)

        disabled = await anonymous_client.post(
            f"/api/v1/admin/users/{second_account.user_id}/disable", headers=admin_session
        )
        with_key = await anonymous_client.get("/api/v1/documents", headers=key)
        with_session = await anonymous_client.get("/api/v1/auth/me", headers=session)
        sign_in = await anonymous_client.post(
            "/api/v1/auth/login",
            json={"email": second_account.email, "password": "correct horse battery staple"},
        )

        assert before.status_code == 200 and before_session.status_code == 200
        assert disabled.status_code == 200, disabled.text
        assert disabled.json()["is_active"] is False
        assert_problem(with_key, 401, "INVALID_TOKEN")
        assert_problem(with_session, 401, "INVALID_TOKEN")
        assert_problem(sign_in, 401, "INVALID_CREDENTIALS")

    async def test_enabling_brings_the_key_back_but_not_the_ended_sessions(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_account: Account,
        admin_session: dict[str, str],
    ) -> None:
        session = await session_headers(app, second_account.email)
        base = f"/api/v1/admin/users/{second_account.user_id}"
        await anonymous_client.post(f"{base}/disable", headers=admin_session)

        enabled = await anonymous_client.post(f"{base}/enable", headers=admin_session)
        with_key = await anonymous_client.get("/api/v1/documents", headers=second_account.headers)
        with_session = await anonymous_client.get("/api/v1/auth/me", headers=session)

        assert enabled.json()["is_active"] is True
        assert with_key.status_code == 200
        assert_problem(with_session, 401, "INVALID_TOKEN")

    async def test_an_api_key_cannot_disable_even_a_system_admins(
        self,
        client: httpx.AsyncClient,
        second_account: Account,
        admin_session: dict[str, str],
    ) -> None:
        refused = await client.post(f"/api/v1/admin/users/{second_account.user_id}/disable")
        deleted = await client.delete(f"/api/v1/admin/users/{second_account.user_id}")
        still = await client.get(
            f"/api/v1/admin/users/{second_account.user_id}", headers=admin_session
        )

        assert_problem(refused, 403, "INTERACTIVE_SESSION_REQUIRED")
        assert_problem(deleted, 403, "INTERACTIVE_SESSION_REQUIRED")
        assert still.json()["is_active"] is True

    async def test_a_user_who_is_not_a_system_admin_gets_403(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_account: Account,
        viewer_account: Account,
    ) -> None:
        session = await session_headers(app, second_account.email)
        target = f"/api/v1/admin/users/{viewer_account.user_id}"

        listed = await anonymous_client.get("/api/v1/admin/users", headers=session)
        disabled = await anonymous_client.post(f"{target}/disable", headers=session)
        usage = await anonymous_client.get("/api/v1/admin/usage", headers=session)

        assert_problem(listed, 403, "FORBIDDEN")
        assert_problem(disabled, 403, "FORBIDDEN")
        assert_problem(usage, 403, "FORBIDDEN")

    async def test_an_admin_cannot_disable_their_own_account(
        self,
        anonymous_client: httpx.AsyncClient,
        client: httpx.AsyncClient,
        admin_session: dict[str, str],
    ) -> None:
        me = (await client.get("/api/v1/auth/me")).json()
        refused = await anonymous_client.post(
            f"/api/v1/admin/users/{me['id']}/disable", headers=admin_session
        )
        unknown = await anonymous_client.post(
            "/api/v1/admin/users/usr_01jd0000000000000000000000/disable", headers=admin_session
        )
        assert_problem(refused, 409, "SELF_ADMINISTRATION")
        assert_problem(unknown, 404, "NOT_FOUND")


class TestList:
    async def test_search_by_email_or_name_and_by_state(
        self,
        client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        second_account: Account,
        viewer_account: Account,
        admin_session: dict[str, str],
    ) -> None:
        await anonymous_client.post(
            f"/api/v1/admin/users/{viewer_account.user_id}/disable", headers=admin_session
        )
        client.headers.update(admin_session)  # API keys never carry system:admin
        by_email = (await client.get("/api/v1/admin/users", params={"q": "BEA@"})).json()
        disabled = (await client.get("/api/v1/admin/users", params={"active": "false"})).json()
        first = (await client.get("/api/v1/admin/users", params={"limit": 1})).json()
        rest = (
            await client.get("/api/v1/admin/users", params={"cursor": first["next_cursor"]})
        ).json()

        assert [u["email"] for u in by_email["items"]] == [second_account.email]
        assert [u["id"] for u in disabled["items"]] == [viewer_account.user_id]
        assert first["has_more"] is True
        assert len(first["items"]) + len(rest["items"]) == 3


class TestDelete:
    async def test_deleting_an_account_deletes_its_personal_team_with_documents_and_files(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
        admin_session: dict[str, str],
    ) -> None:
        document = await upload_ok(second_client, content=b"bea's notes", filename="n.txt")
        folder = app.state.runtime.settings.blob_dir / second_account.team_id
        assert (folder / document["id"] / "original").is_file()

        deleted = await anonymous_client.delete(
            f"/api/v1/admin/users/{second_account.user_id}", headers=admin_session
        )
        gone = await anonymous_client.get(
            f"/api/v1/admin/users/{second_account.user_id}", headers=admin_session
        )
        key = await anonymous_client.get("/api/v1/documents", headers=second_account.headers)

        assert deleted.status_code == 204, deleted.text
        assert_problem(gone, 404, "NOT_FOUND")
        assert_problem(key, 401, "INVALID_TOKEN")
        assert not folder.exists()


async def test_an_access_change_on_the_bus_empties_every_process_cache() -> None:
    """What another API process announces reaches this one's principal cache: the bus is
    the in-memory one here, Redis in scale-out (the same watcher subscribes to either)."""
    bus = InMemoryEventBus()
    watcher = AccessWatcher(bus)
    watcher.start()
    await asyncio.wait_for(watcher.subscribed.wait(), 5)
    before = _Generation.value
    await bus.publish(Event(type="document.processed", team_id="team_x"))
    await asyncio.sleep(0.05)
    unrelated = _Generation.value
    await bus.publish(Event(type=ACCESS_CHANGED, team_id="", data={"user_id": "usr_x"}))
    for _ in range(100):
        if _Generation.value > unrelated:
            break
        await asyncio.sleep(0.01)
    await watcher.stop()
    assert unrelated == before
    assert _Generation.value > before


@pytest.mark.parametrize("settings_overrides", [{"workers": 0, "registration": "closed"}])
async def test_closed_registration_refuses_sign_up(anonymous_client: httpx.AsyncClient) -> None:
    refused = await anonymous_client.post(
        "/api/v1/auth/register",
        json={"email": "new@example.com", "password": "long enough password"},
    )
    assert_problem(refused, 403, "REGISTRATION_CLOSED")
