from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_problem

NEW = {
    "user_name": "John Doe",
    "error_type": "OCR Failure",
    "description": "OCR failed on 3 documents due to poor image quality",
}


async def open_ticket(client: httpx.AsyncClient, **extra: object) -> dict:
    response = await client.post("/api/v1/tickets", json={**NEW, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def move(client: httpx.AsyncClient, ticket: dict, status: str) -> httpx.Response:
    return await client.patch(f"/api/v1/tickets/{ticket['id']}/status", json={"status": status})


@pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
class TestTickets:
    async def test_lifecycle_sets_resolved_at_once(self, client: httpx.AsyncClient) -> None:
        ticket = await open_ticket(client)
        assert ticket["status"] == "open" and ticket["resolved_at"] is None

        progress = await move(client, ticket, "in_progress")
        resolved = await move(client, ticket, "resolved")
        reopened = await move(client, ticket, "in_progress")
        resolved_again = await move(client, ticket, "resolved")
        closed = await move(client, ticket, "closed")

        assert progress.json()["status"] == "in_progress"
        assert progress.json()["resolved_at"] is None
        first = resolved.json()["resolved_at"]
        assert first is not None
        assert reopened.json()["resolved_at"] == first
        assert resolved_again.json()["resolved_at"] == first
        assert closed.json()["status"] == "closed" and closed.json()["resolved_at"] == first

    async def test_invalid_transitions_are_409(self, client: httpx.AsyncClient) -> None:
        ticket = await open_ticket(client)
        await move(client, ticket, "closed")

        reopened = await move(client, ticket, "open")
        same = await move(client, await open_ticket(client), "open")
        unknown = await move(client, ticket, "archived")

        body = assert_problem(reopened, 409, "INVALID_TRANSITION")
        assert "closed is final" in body["detail"]
        assert_problem(same, 409, "INVALID_TRANSITION")
        assert_problem(unknown, 422, "VALIDATION_ERROR")

    async def test_list_filter_and_links(self, client: httpx.AsyncClient) -> None:
        batch = (
            await client.post("/api/v1/batches", files=[("files", ("a.txt", b"a", "text/plain"))])
        ).json()
        linked = await open_ticket(client, batch_id=batch["id"])
        other = await open_ticket(client)
        await move(client, other, "in_progress")

        listed = (await client.get("/api/v1/tickets")).json()["items"]
        open_only = (await client.get("/api/v1/tickets", params={"status": "open"})).json()

        assert [t["id"] for t in listed] == [other["id"], linked["id"]]
        assert [t["id"] for t in open_only["items"]] == [linked["id"]]
        assert linked["batch_id"] == batch["id"]
        bad = await client.post("/api/v1/tickets", json={**NEW, "batch_id": "bat_nope"})
        assert assert_problem(bad, 422, "VALIDATION_ERROR")["errors"][0]["field"] == "batch_id"

    async def test_tenancy_and_permissions(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        ticket = await open_ticket(client)
        url = f"/api/v1/tickets/{ticket['id']}"
        theirs_batch = (
            await second_client.post(
                "/api/v1/batches", files=[("files", ("b.txt", b"b", "text/plain"))]
            )
        ).json()

        assert_problem(await second_client.get(url), 404, "NOT_FOUND")
        assert_problem(await move(second_client, ticket, "closed"), 404, "NOT_FOUND")
        assert (await second_client.get("/api/v1/tickets")).json()["items"] == []
        assert (await viewer_client.get(url)).status_code == 200
        assert_problem(await move(viewer_client, ticket, "closed"), 403, "FORBIDDEN")
        assert_problem(await viewer_client.post("/api/v1/tickets", json=NEW), 403, "FORBIDDEN")
        linked = await client.post("/api/v1/tickets", json={**NEW, "batch_id": theirs_batch["id"]})
        assert_problem(linked, 422, "VALIDATION_ERROR")


class TestLinkShapes:
    """Issue 25 #18: an empty or malformed id was stored and broke on the foreign key (500)."""

    @pytest.mark.parametrize(
        "link",
        [{"document_id": ""}, {"batch_id": ""}, {"document_id": "doc_x"}, {"batch_id": "doc_1"}],
    )
    async def test_empty_or_malformed_ids_are_not_found(
        self, client: httpx.AsyncClient, link: dict
    ) -> None:
        body = {"user_name": "Ann", "error_type": "OCR Failure", "description": "x", **link}

        problem = assert_problem(
            await client.post("/api/v1/tickets", json=body), 422, "VALIDATION_ERROR"
        )

        assert problem["errors"][0]["field"] == next(iter(link))
        assert problem["errors"][0]["code"] == "not_found"

    async def test_a_well_formed_unknown_document_is_422_not_found(
        self, client: httpx.AsyncClient
    ) -> None:
        body = {
            "user_name": "Ann",
            "error_type": "OCR Failure",
            "description": "x",
            "document_id": "doc_01jabcdefghjkmnpqrstvwxyz0",
        }

        problem = assert_problem(
            await client.post("/api/v1/tickets", json=body), 422, "VALIDATION_ERROR"
        )

        assert problem["errors"][0]["code"] == "not_found"
