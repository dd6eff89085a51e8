"""Tags and typed custom fields: definitions, setting them on documents, list filters, bulk
tagging, tenancy and bad values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import assert_problem, upload_ok

NO_WORKERS = {"workers": 0}  # documents stay queued: nothing here needs their results


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return NO_WORKERS


async def created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def listed(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/documents", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestDefinitions:
    async def test_tag_crud_and_rename_reaches_documents(self, client: httpx.AsyncClient) -> None:
        tag = await created(client, "/api/v1/tags", {"name": "urgent", "color": "#ff0000"})
        document = await upload_ok(client, content=b"tag me", filename="t.txt")
        put = await client.put(f"/api/v1/documents/{document['id']}/tags/{tag['id']}")
        assert put.json()["tags"] == ["urgent"]

        renamed = await client.patch(f"/api/v1/tags/{tag['id']}", json={"name": "asap"})
        assert renamed.status_code == 200 and renamed.json()["color"] == "#ff0000"
        read = (await client.get(f"/api/v1/documents/{document['id']}")).json()
        assert read["tags"] == ["asap"]

        assert (await client.delete(f"/api/v1/tags/{tag['id']}")).status_code == 204
        read = (await client.get(f"/api/v1/documents/{document['id']}")).json()
        assert read["tags"] == []
        assert (await client.get(f"/api/v1/tags/{tag['id']}")).status_code == 404

    async def test_duplicate_names_and_bad_colours(self, client: httpx.AsyncClient) -> None:
        await created(client, "/api/v1/tags", {"name": "paid"})
        assert_problem(await client.post("/api/v1/tags", json={"name": "paid"}), 409, "CONFLICT")
        bad = await client.post("/api/v1/tags", json={"name": "x", "color": "red"})
        assert_problem(bad, 422, "VALIDATION_ERROR")
        bad_field = await client.post(
            "/api/v1/custom-fields", json={"name": "status", "type": "select"}
        )
        assert_problem(bad_field, 422, "VALIDATION_ERROR")  # a select needs options
        unknown_type = await client.post(
            "/api/v1/custom-fields", json={"name": "n", "type": "colour"}
        )
        assert_problem(unknown_type, 422, "VALIDATION_ERROR")

    async def test_a_viewer_reads_but_cannot_define(
        self, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        await created(client, "/api/v1/tags", {"name": "seen"})
        assert [t["name"] for t in (await viewer_client.get("/api/v1/tags")).json()["items"]] == [
            "seen"
        ]
        refused = await viewer_client.post("/api/v1/tags", json={"name": "mine"})
        assert_problem(refused, 403, "FORBIDDEN")


class TestValues:
    async def test_typed_values_are_checked_and_normalised(self, client: httpx.AsyncClient) -> None:
        total = await created(
            client, "/api/v1/custom-fields", {"name": "total", "type": "money", "currency": "EUR"}
        )
        due = await created(client, "/api/v1/custom-fields", {"name": "due", "type": "date"})
        state = await created(
            client,
            "/api/v1/custom-fields",
            {"name": "state", "type": "select", "options": ["open", "paid"]},
        )
        owner = await created(client, "/api/v1/custom-fields", {"name": "owner", "type": "user"})
        document = await upload_ok(client, content=b"values", filename="v.txt")
        base = f"/api/v1/documents/{document['id']}/fields"

        for field, value in ((total, "1200.5"), (due, "2026-12-31"), (state, "paid")):
            response = await client.put(f"{base}/{field['id']}", json={"value": value})
            assert response.status_code == 200, response.text
        me = (await client.get("/api/v1/auth/me")).json()
        assert (await client.put(f"{base}/{owner['id']}", json={"value": me["id"]})).is_success

        read = (await client.get(f"/api/v1/documents/{document['id']}")).json()
        assert read["custom_fields"] == {
            "due": "2026-12-31",
            "owner": me["id"],
            "state": "paid",
            "total": "1200.50",
        }
        for field, value in (
            (total, "a lot"),
            (due, "31/12/2026"),
            (state, "lost"),
            (owner, "usr_01jd0000000000000000000000"),
            (total, True),
        ):
            bad = await client.put(f"{base}/{field['id']}", json={"value": value})
            body = assert_problem(bad, 422, "VALIDATION_ERROR")
            assert body["errors"][0]["field"] == "value"
        unchanged = (await client.get(f"/api/v1/documents/{document['id']}")).json()
        assert unchanged["custom_fields"] == read["custom_fields"]

        cleared = await client.delete(f"{base}/{state['id']}")
        assert "state" not in cleared.json()["custom_fields"]


class TestListFilters:
    async def test_tag_and_field_filters(self, client: httpx.AsyncClient) -> None:
        invoice = await created(client, "/api/v1/tags", {"name": "invoice"})
        amount = await created(
            client, "/api/v1/custom-fields", {"name": "amount", "type": "number"}
        )
        a = await upload_ok(client, content=b"a", filename="a.txt")
        b = await upload_ok(client, content=b"b", filename="b.txt")
        await upload_ok(client, content=b"c", filename="c.txt")
        await client.put(f"/api/v1/documents/{a['id']}/tags/{invoice['id']}")
        await client.put(f"/api/v1/documents/{b['id']}/tags/{invoice['id']}")
        await client.put(f"/api/v1/documents/{a['id']}/fields/{amount['id']}", json={"value": 7})
        await client.put(f"/api/v1/documents/{b['id']}/fields/{amount['id']}", json={"value": 9})

        assert set(await listed(client, tag="invoice")) == {a["id"], b["id"]}
        assert await listed(client, **{"tag": "invoice", "field.amount": "7.0"}) == [a["id"]]
        assert await listed(client, **{"field.amount": "eight"}) == []
        assert await listed(client, tag="nothing") == []
        unknown = await client.get("/api/v1/documents", params={"field.colour": "red"})
        assert_problem(unknown, 422, "VALIDATION_ERROR")

    async def test_search_finds_tags_and_field_values(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        urgent = await created(client, "/api/v1/tags", {"name": "Urgent"})
        code = await created(client, "/api/v1/custom-fields", {"name": "code", "type": "text"})
        tagged = await upload_ok(client, content=b"plain words", filename="p.txt")
        valued = await upload_ok(client, content=b"other words", filename="o.txt")
        await client.put(f"/api/v1/documents/{tagged['id']}/tags/{urgent['id']}")
        await client.put(
            f"/api/v1/documents/{valued['id']}/fields/{code['id']}", json={"value": "PRJ-7"}
        )

        assert await listed(client, q="urgent") == [tagged["id"]]
        assert await listed(client, q="prj-7") == [valued["id"]]
        assert await listed(second_client, q="urgent") == []

    async def test_bulk_tag_and_untag(self, client: httpx.AsyncClient) -> None:
        tag = await created(client, "/api/v1/tags", {"name": "review"})
        docs = [
            await upload_ok(client, content=f"doc {i}".encode(), filename=f"{i}.txt")
            for i in (1, 2)
        ]
        ids = [d["id"] for d in docs]
        body = {"document_ids": [*ids, "doc_01jd0000000000000000000000"], "tag_ids": [tag["id"]]}
        added = await client.post("/api/v1/documents/bulk/tags", json={**body, "action": "add"})
        assert added.status_code == 200, added.text
        assert (added.json()["accepted"], added.json()["not_found"]) == (2, 1)
        assert set(await listed(client, tag="review")) == set(ids)
        again = await client.post("/api/v1/documents/bulk/tags", json={**body, "action": "add"})
        assert again.json()["skipped"] == 2
        removed = await client.post(
            "/api/v1/documents/bulk/tags", json={**body, "action": "remove"}
        )
        assert removed.json()["accepted"] == 2
        assert await listed(client, tag="review") == []
        unknown = await client.post(
            "/api/v1/documents/bulk/tags",
            json={**body, "action": "add", "tag_ids": ["tag_01jd0000000000000000000000"]},
        )
        assert_problem(unknown, 422, "VALIDATION_ERROR")


class TestTenancy:
    async def test_another_team_cannot_see_or_use_tags(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        tag = await created(client, "/api/v1/tags", {"name": "secret"})
        field = await created(client, "/api/v1/custom-fields", {"name": "code", "type": "text"})
        mine = await upload_ok(client, content=b"mine", filename="m.txt")
        theirs = await upload_ok(second_client, content=b"theirs", filename="t.txt")

        assert (await second_client.get("/api/v1/tags")).json()["items"] == []
        assert (await second_client.get(f"/api/v1/tags/{tag['id']}")).status_code == 404
        # their document with my tag, and my document with their credentials: both 404
        foreign_tag = await second_client.put(f"/api/v1/documents/{theirs['id']}/tags/{tag['id']}")
        assert foreign_tag.status_code == 404
        foreign_doc = await second_client.put(
            f"/api/v1/documents/{mine['id']}/fields/{field['id']}", json={"value": "x"}
        )
        assert foreign_doc.status_code == 404
        bulk = await second_client.post(
            "/api/v1/documents/bulk/tags",
            json={"document_ids": [mine["id"]], "action": "add", "tag_ids": [tag["id"]]},
        )
        assert_problem(bulk, 422, "VALIDATION_ERROR")
        assert (await client.get(f"/api/v1/documents/{mine['id']}")).json()["tags"] == []
        filtered = await second_client.get("/api/v1/documents", params={"field.code": "x"})
        assert_problem(filtered, 422, "VALIDATION_ERROR")  # my field is unknown to them
