"""The event catalog, read back from the stored log over HTTP."""

from __future__ import annotations

import httpx

from folio.core.permissions import BuiltinRole
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem, upload_ok, wait_settled


async def event_types(client: httpx.AsyncClient, **params: object) -> list[str]:
    page = (await client.get("/api/v1/events", params={"limit": 100, **params})).json()
    return [event["type"] for event in page["items"]]


async def test_document_and_job_events_in_order(client: httpx.AsyncClient) -> None:
    document = await upload_ok(client, content=b"events please", filename="e.txt")
    await wait_settled(client, document["id"])

    types = await event_types(client)

    assert types[:2] == ["document.uploaded", "job.created"]
    assert types.index("job.status") < types.index("document.processed")
    assert types[-1] == "job.completed"
    assert "document.processing" in types


async def test_failure_and_batch_completion(client: httpx.AsyncClient) -> None:
    batch = (
        await client.post(
            "/api/v1/batches",
            files=[
                ("files", ("bad.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8, "application/pdf"))
            ],
        )
    ).json()
    await wait_settled(client, batch["documents"][0]["id"])

    failed = (await client.get("/api/v1/events", params={"type": "document.failed"})).json()
    completed = await event_types(client, type="batch.completed")

    assert failed["items"][0]["data"]["error"]["code"] == "CORRUPT_DOCUMENT"
    assert completed == ["batch.completed"]
    assert "job.failed" in await event_types(client)


async def test_team_membership_events(client: httpx.AsyncClient, app, admin: Account) -> None:  # type: ignore[no-untyped-def]
    member = await create_account(app, "mo@example.com", join_team=admin.team_id)
    await client.patch(
        f"/api/v1/teams/{admin.team_id}/members/{member.user_id}", json={"role": BuiltinRole.viewer}
    )
    await client.delete(f"/api/v1/teams/{admin.team_id}/members/{member.user_id}")

    types = await event_types(client)

    assert types[-2:] == ["team.role_changed", "team.member_left"]


async def test_cursor_resumes_and_other_teams_see_nothing(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    await upload_ok(client, content=b"one", filename="1.txt")
    first = (await client.get("/api/v1/events", params={"limit": 1})).json()
    rest = (
        await client.get("/api/v1/events", params={"limit": 100, "cursor": first["next_cursor"]})
    ).json()

    assert first["has_more"] is True
    assert first["items"][0]["id"] < rest["items"][0]["id"]
    assert (await second_client.get("/api/v1/events")).json()["items"] == []


async def test_requires_authentication(anonymous_client: httpx.AsyncClient) -> None:
    assert_problem(await anonymous_client.get("/api/v1/events"), 401, "UNAUTHORIZED")


async def test_viewer_reads_events(app, admin: Account) -> None:  # type: ignore[no-untyped-def]
    viewer = await create_account(
        app, "vi@example.com", join_team=admin.team_id, role=BuiltinRole.viewer
    )
    async with client_for(app, viewer) as viewer_client:
        assert (await viewer_client.get("/api/v1/events")).status_code == 200
