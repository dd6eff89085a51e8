from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from folio.app import create_app
from folio.audit.recorder import ActivityRecorder
from folio.config import Settings
from tests.factories import PASSWORD, Account, client_for
from tests.helpers import assert_problem, upload_ok

LOGS = "/api/v1/audit/logs"


async def create_key(client: httpx.AsyncClient, name: str = "ci key") -> dict[str, object]:
    response = await client.post("/api/v1/keys", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


async def entries(client: httpx.AsyncClient, **params: object) -> list[dict[str, object]]:
    response = await client.get(LOGS, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestRecording:
    async def test_a_create_records_actor_action_resource_and_field_names(
        self, client: httpx.AsyncClient, admin: Account
    ) -> None:
        key = await create_key(client)
        [entry] = await entries(client, action="keys.create")
        assert entry["resource_type"] == "key" and entry["resource_id"] == key["id"]
        assert entry["team_id"] == admin.team_id
        assert entry["actor_type"] == "api_key" and entry["actor_key_id"]
        assert entry["actor_user_id"]
        assert entry["status_code"] == 201 and entry["outcome"] == "success"
        assert entry["changed_fields"] == ["name"]
        assert entry["method"] == "POST" and entry["route"] == "/api/v1/keys"
        assert entry["ip"] == "127.0.0.1"
        assert entry["user_agent"].startswith("python-httpx")
        assert entry["request_id"].startswith("req_")

    async def test_request_id_is_the_one_the_client_sent(self, client: httpx.AsyncClient) -> None:
        await client.post("/api/v1/keys", json={"name": "x"}, headers={"X-Request-ID": "trace-42"})
        [entry] = await entries(client, action="keys.create")
        assert entry["request_id"] == "trace-42"

    async def test_document_upload_and_delete(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"hello audit", filename="a.txt")
        deleted = await client.delete(f"/api/v1/documents/{document['id']}")
        assert deleted.status_code == 204
        items = await entries(client, resource_id=document["id"])
        assert [e["action"] for e in items] == ["documents.delete", "documents.create"]
        assert {e["resource_type"] for e in items} == {"document"}

    async def test_reads_are_not_audited(self, client: httpx.AsyncClient) -> None:
        for _ in range(3):
            await client.get("/api/v1/documents")
        assert await entries(client) == []

    async def test_failures_and_denials_are_recorded(
        self, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        missing = await client.delete("/api/v1/documents/doc_00000000000000000000000000")
        assert missing.status_code == 404
        denied = await viewer_client.post("/api/v1/keys/k/rotate", json={})
        assert denied.status_code in (403, 404)
        failed = await entries(client, outcome="failure")
        assert [e["action"] for e in failed] == ["documents.delete"]
        assert failed[0]["resource_id"] == "doc_00000000000000000000000000"

    async def test_secret_values_never_stored(
        self, second_client: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        new_password = "a much longer new passphrase 123"
        changed = await second_client.post(
            "/api/v1/auth/password/change",
            json={"current_password": PASSWORD, "new_password": new_password},
        )
        assert changed.status_code < 500, changed.text
        key = await create_key(client)
        exported = (await client.get(f"{LOGS}/export", params={"format": "json"})).text
        assert str(key["key"]) not in exported
        mine = await second_client.get(f"{LOGS}/export", params={"format": "json"})
        assert mine.status_code == 200  # the owner of a personal team reads its own trail
        assert PASSWORD not in mine.text and new_password not in mine.text
        assert "new_password" in mine.text


class TestListing:
    async def test_filters(self, client: httpx.AsyncClient, admin: Account) -> None:
        key = await create_key(client, "one")
        await client.patch(f"/api/v1/keys/{key['id']}", json={"name": "renamed"})
        await client.delete(f"/api/v1/keys/{key['id']}")
        assert [e["action"] for e in await entries(client, resource_type="key")] == [
            "keys.delete",
            "keys.update",
            "keys.create",
        ]
        assert len(await entries(client, action="keys.*")) == 3
        assert [e["action"] for e in await entries(client, action="keys.update")] == ["keys.update"]
        first = (await entries(client, action="keys.create"))[0]
        assert len(await entries(client, actor=first["actor_key_id"])) == 3
        assert await entries(client, actor="key_nobody") == []
        now = datetime.now(UTC)
        assert len(await entries(client, created_after=(now - timedelta(minutes=5)).isoformat()))
        assert await entries(client, created_after=(now + timedelta(minutes=5)).isoformat()) == []
        assert await entries(client, created_before=(now - timedelta(minutes=5)).isoformat()) == []

    async def test_cursor_pagination(self, client: httpx.AsyncClient) -> None:
        for i in range(5):
            await create_key(client, f"key {i}")
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, object] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(LOGS, params=params)).json()
            seen += [e["id"] for e in page["items"]]
            if not page["has_more"]:
                assert page["next_cursor"] is None
                break
            cursor = page["next_cursor"]
        assert len(seen) == 5 and seen == sorted(seen, reverse=True)

    async def test_bad_filters(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(LOGS, params={"outcome": "maybe"}), 422, "VALIDATION_ERROR")
        assert_problem(await client.get(LOGS, params={"cursor": "zzz"}), 422, "VALIDATION_ERROR")


class TestAccess:
    async def test_anonymous(self, anonymous_client: httpx.AsyncClient) -> None:
        assert_problem(await anonymous_client.get(LOGS), 401, "UNAUTHORIZED")
        assert_problem(await anonymous_client.get(f"{LOGS}/export"), 401, "UNAUTHORIZED")

    async def test_viewer_lacks_audit_read(self, viewer_client: httpx.AsyncClient) -> None:
        assert_problem(await viewer_client.get(LOGS), 403, "FORBIDDEN")
        assert_problem(await viewer_client.get(f"{LOGS}/export"), 403, "FORBIDDEN")

    async def test_a_team_never_sees_another_teams_entries(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        key = await create_key(client)
        await create_key(second_client, "bea's")
        theirs = await entries(second_client)
        assert [e["action"] for e in theirs] == ["keys.create"]
        assert all(e["resource_id"] != key["id"] for e in theirs)
        assert await entries(second_client, resource_id=str(key["id"])) == []
        exported = (await second_client.get(f"{LOGS}/export", params={"format": "csv"})).text
        assert str(key["id"]) not in exported


class TestExport:
    async def test_csv(self, client: httpx.AsyncClient) -> None:
        await create_key(client, "=HYPERLINK(evil)")
        await create_key(client, "two")
        response = await client.get(f"{LOGS}/export", params={"format": "csv"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["action"] for r in rows] == ["keys.create", "keys.create"]
        assert rows[0]["changed_fields"] == "name"

    async def test_json_with_filters(self, client: httpx.AsyncClient) -> None:
        key = await create_key(client)
        await client.delete(f"/api/v1/keys/{key['id']}")
        response = await client.get(
            f"{LOGS}/export", params={"format": "json", "action": "keys.delete"}
        )
        assert response.headers["content-type"].startswith("application/json")
        data = json.loads(response.text)
        assert [e["action"] for e in data] == ["keys.delete"]

    async def test_empty_and_large(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        assert json.loads((await client.get(f"{LOGS}/export?format=json")).text) == []
        recorder: ActivityRecorder = app.state.activity
        template = (await client.post("/api/v1/keys", json={"name": "t"})).json()
        await recorder.flush()
        [entry] = await entries(client)
        for i in range(1200):  # more than two export batches
            recorder.add({**_row(entry), "id": f"aud_{i:026d}"})
        rows = json.loads((await client.get(f"{LOGS}/export?format=json")).text)
        assert len(rows) == 1201 and template["id"]


def _row(entry: dict[str, object]) -> dict[str, object]:
    row = dict(entry)
    row["created_at"] = datetime.fromisoformat(str(entry["created_at"]))
    return row


class TestShutdown:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"audit_flush_interval_s": 3600}  # only the shutdown flush may write them

    async def test_buffered_entries_are_written_on_shutdown(self, settings: Settings) -> None:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            admin = app.state.initial_credentials
            account = Account("", admin.email, admin.team_id, admin.api_key)
            async with client_for(app, account) as http:
                for i in range(3):
                    await http.post("/api/v1/keys", json={"name": f"k{i}"})
            assert app.state.activity.buffered == 3
        app = create_app(settings)
        async with app.router.lifespan_context(app), client_for(app, account) as http:
            assert len(await entries(http, action="keys.create")) == 3
