"""A person exports their own data and deletes their own account."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.admin.conftest import session_headers
from tests.factories import PASSWORD, Account
from tests.helpers import assert_problem, upload_ok


class TestExport:
    async def test_the_export_holds_profile_teams_keys_activity_and_uploads(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
    ) -> None:
        document = await upload_ok(second_client, content=b"bea's notes", filename="n.txt")
        batch = await second_client.post(
            "/api/v1/batches", files=[("files", ("b.txt", b"bea's batch", "text/plain"))]
        )
        session = await session_headers(app, second_account.email)

        exported = await anonymous_client.get("/api/v1/me/export", headers=session)

        body = exported.json()
        assert exported.status_code == 200, exported.text
        assert body["profile"]["email"] == second_account.email
        assert [m["team_id"] for m in body["memberships"]] == [second_account.team_id]
        assert [k["name"] for k in body["api_keys"]] == ["test key"]
        assert "secret_hash" not in str(body["api_keys"])
        uploaded = {d["id"] for d in body["documents"]}
        batch_documents = {d["id"] for d in batch.json()["documents"]}
        assert uploaded == {document["id"], *batch_documents}
        actions = {entry["action"] for entry in body["audit_entries"]}
        assert {"documents.create", "batches.create"} <= actions
        assert len(body["sessions"]) == 1

    async def test_the_export_is_the_callers_own(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        await upload_ok(second_client, content=b"bea's notes", filename="n.txt")
        mine = (await client.get("/api/v1/me/export")).json()
        assert mine["documents"] == []
        assert mine["profile"]["email"] == "admin@folio.local"


class TestDeleteOwnAccount:
    async def test_deleting_needs_the_password_and_an_interactive_session(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
    ) -> None:
        session = await session_headers(app, second_account.email)
        with_key = await second_client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
        wrong = await anonymous_client.request(
            "DELETE", "/api/v1/me", headers=session, json={"password": "not the password"}
        )
        still = await anonymous_client.get("/api/v1/auth/me", headers=session)

        assert_problem(with_key, 403, "INTERACTIVE_SESSION_REQUIRED")
        assert_problem(wrong, 401, "INVALID_CREDENTIALS")
        assert still.status_code == 200

    async def test_an_account_alone_in_its_teams_goes_with_them_and_their_files(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
    ) -> None:
        document = await upload_ok(second_client, content=b"bea's notes", filename="n.txt")
        folder = app.state.runtime.settings.blob_dir / second_account.team_id
        session = await session_headers(app, second_account.email)

        deleted = await anonymous_client.request(
            "DELETE", "/api/v1/me", headers=session, json={"password": PASSWORD}
        )
        key = await anonymous_client.get(
            f"/api/v1/documents/{document['id']}", headers=second_account.headers
        )
        sign_in = await anonymous_client.post(
            "/api/v1/auth/login", json={"email": second_account.email, "password": PASSWORD}
        )

        assert deleted.status_code == 204, deleted.text
        assert_problem(key, 401, "INVALID_TOKEN")
        assert_problem(sign_in, 401, "INVALID_CREDENTIALS")
        assert not folder.exists()

    async def test_the_sole_owner_of_a_team_with_members_must_hand_it_over_first(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        client: httpx.AsyncClient,
        admin: Account,
        viewer_account: Account,
    ) -> None:
        credentials = app.state.initial_credentials
        session = await session_headers(app, credentials.email, credentials.password)

        refused = await anonymous_client.request(
            "DELETE", "/api/v1/me", headers=session, json={"password": credentials.password}
        )
        viewer_still = await anonymous_client.get(
            "/api/v1/documents", headers=viewer_account.headers
        )

        body = assert_problem(refused, 409, "SOLE_OWNER")
        assert body["team_ids"] == [admin.team_id]
        assert viewer_still.status_code == 200

    async def test_a_member_who_is_not_the_last_owner_leaves_the_team_which_stays(
        self,
        app: FastAPI,
        anonymous_client: httpx.AsyncClient,
        client: httpx.AsyncClient,
        viewer_account: Account,
    ) -> None:
        document = await upload_ok(client, content=b"team notes", filename="t.txt")
        session = await session_headers(app, viewer_account.email)

        deleted = await anonymous_client.request(
            "DELETE", "/api/v1/me", headers=session, json={"password": PASSWORD}
        )
        members = (await client.get(f"/api/v1/teams/{viewer_account.team_id}/members")).json()
        kept = await client.get(f"/api/v1/documents/{document['id']}")

        assert deleted.status_code == 204, deleted.text
        assert viewer_account.email not in str(members)
        assert kept.status_code == 200
