"""Notifications made from events, per preference; live push to one person; e-mail."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from folio.core.events import Event, InMemoryEventBus
from folio.core.permissions import BuiltinRole, Permission
from folio.core.principal import Principal
from folio.notifications.models import NotificationPreference
from folio.notifications.service import notification as notification_service
from folio.realtime.hub import Hub
from tests.factories import Account, client_for, create_account
from tests.helpers import assert_problem, wait_settled
from tests.smtp import Inbox


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": inbox.port}


async def arrived(inbox: Inbox, subject: str, seconds: float = 15) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if any(message["Subject"] == subject for message in inbox.messages):
            return True
        await asyncio.sleep(0.05)
    return False


async def finish_a_batch(client: httpx.AsyncClient) -> None:
    batch = (
        await client.post(
            "/api/v1/batches", files=[("files", ("n.txt", b"notify me", "text/plain"))]
        )
    ).json()
    await wait_settled(client, batch["documents"][0]["id"])


async def test_a_finished_batch_notifies_the_team(client: httpx.AsyncClient) -> None:
    await finish_a_batch(client)

    unread = (await client.get("/api/v1/notifications", params={"read": "false"})).json()
    first = unread["items"][0]
    marked = await client.post(f"/api/v1/notifications/{first['id']}/read")
    read = (await client.get("/api/v1/notifications", params={"read": "true"})).json()

    assert first["category"] == "batches" and "1 completed" in first["body"]
    assert marked.json()["read"] is True
    assert [n["id"] for n in read["items"]] == [first["id"]]


async def test_read_all_and_category_filter(
    client: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    await finish_a_batch(client)
    await create_account(app, "mo@example.com", join_team=admin.team_id)  # no event: direct add
    await finish_a_batch(client)

    batches = (await client.get("/api/v1/notifications", params={"category": "batches"})).json()
    marked = (await client.post("/api/v1/notifications/read-all")).json()
    unread = (await client.get("/api/v1/notifications", params={"read": "false"})).json()

    assert len(batches["items"]) == 2
    assert marked["marked_read"] == 2
    assert unread["items"] == []


async def test_preferences_choose_categories_and_email(
    client: httpx.AsyncClient,
    inbox: Inbox,
    admin: Account,
) -> None:
    defaults = (await client.get("/api/v1/notifications/preferences")).json()
    await client.put(
        "/api/v1/notifications/preferences", json={"categories": ["team"], "email_enabled": True}
    )
    await finish_a_batch(client)
    none_for_batches = (await client.get("/api/v1/notifications")).json()["items"]
    updated = await client.put(
        "/api/v1/notifications/preferences",
        json={"categories": ["batches"], "digest_frequency": "none"},
    )
    await finish_a_batch(client)

    assert defaults == {
        "email_enabled": False,
        "digest_frequency": "none",
        "categories": ["documents", "batches", "team", "system", "workflows"],
    }
    assert none_for_batches == []
    assert updated.json()["categories"] == ["batches"]
    # the worker's transaction sends this mail after the document settled: wait for it
    assert await arrived(inbox, "Folio: A batch finished")


async def test_daily_digest(client: httpx.AsyncClient, app: FastAPI, inbox: Inbox) -> None:
    # the server's own hourly run starts with one at start-up: on a loaded machine it can
    # land between the steps below, find nothing unread yet and mark the digest sent
    await app.state.digests.stop()
    await client.put(
        "/api/v1/notifications/preferences",
        json={"email_enabled": True, "digest_frequency": "daily"},
    )
    await finish_a_batch(client)
    await finish_a_batch(client)
    runtime = app.state.runtime

    async with runtime.db.session() as session:
        sent = await notification_service.send_digests(session, runtime)
    async with runtime.db.session() as session:
        again = await notification_service.send_digests(session, runtime)

    digests = [m for m in inbox.messages if "unread notifications" in m["Subject"]]
    assert sent == 1 and again == 0
    assert digests[0]["Subject"] == "Folio: 2 unread notifications"


async def test_nobody_reads_anothers_notifications(
    client: httpx.AsyncClient, app: FastAPI, admin: Account
) -> None:
    colleague = await create_account(
        app, "co@example.com", join_team=admin.team_id, role=BuiltinRole.member
    )
    await finish_a_batch(client)
    mine = (await client.get("/api/v1/notifications")).json()["items"][0]

    async with client_for(app, colleague) as colleague_client:
        theirs = (await colleague_client.get("/api/v1/notifications")).json()["items"]
        response = await colleague_client.post(f"/api/v1/notifications/{mine['id']}/read")

    assert len(theirs) == 1 and theirs[0]["id"] != mine["id"]
    assert_problem(response, 404, "NOT_FOUND")


async def test_live_push_reaches_only_its_person() -> None:
    hub = Hub(InMemoryEventBus(), queue_size=10, max_per_user=5)
    reader = Principal(
        team_id="team_a",
        team_ids=frozenset({"team_a"}),
        user_id="usr_a",
        permissions=frozenset({Permission.documents_read}),
    )
    colleague = Principal(
        team_id="team_a",
        team_ids=frozenset({"team_a"}),
        user_id="usr_b",
        permissions=frozenset({Permission.documents_read}),
    )
    mine, theirs = hub.register(reader), hub.register(colleague)
    mine.channels.add("system")
    theirs.channels.add("system")

    hub.dispatch(
        Event(
            type="system.notification",
            team_id="team_a",
            data={"user_id": "usr_a", "title": "for a"},
        )
    )

    assert mine.queue.qsize() == 1 and theirs.queue.qsize() == 0


class TestCategoriesAddedLater:
    """A preference saved before ``workflows`` existed (``known_categories`` NULL, as the
    migration leaves such rows) reads the new category as its default; one saved since keeps
    the choice made."""

    @staticmethod
    async def old_preference(app: FastAPI, account: Account) -> None:
        async with app.state.runtime.db.session() as session:
            session.add(
                NotificationPreference(
                    user_id=account.user_id,
                    email_enabled=False,
                    categories=["documents", "team"],  # batches and system turned off
                    digest_frequency="none",
                )
            )

    @staticmethod
    async def task_assigned(app: FastAPI, account: Account) -> None:
        event = Event(
            type="workflow.task_assigned",
            team_id=account.team_id,
            data={
                "workflow_name": "Invoice approval",
                "document_id": "doc_1",
                "step": "approve",
                "recipient_user_ids": [account.user_id],
            },
        )
        runtime = app.state.runtime
        async with runtime.db.session() as session:
            await notification_service.from_event(session, runtime, event)

    @staticmethod
    async def workflow_notifications(client: httpx.AsyncClient) -> list[dict[str, object]]:
        response = await client.get("/api/v1/notifications", params={"category": "workflows"})
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def test_an_old_preference_gets_workflow_notifications(self, app: FastAPI) -> None:
        old = await create_account(app, "olga@example.com")
        await self.old_preference(app, old)
        async with client_for(app, old) as client:
            read = (await client.get("/api/v1/notifications/preferences")).json()
            await self.task_assigned(app, old)
            received = await self.workflow_notifications(client)
        assert read["categories"] == ["documents", "team", "workflows"]
        assert [n["title"] for n in received] == ["A workflow task for you"]

    async def test_saving_keeps_the_default_and_a_later_opt_out_holds(self, app: FastAPI) -> None:
        old = await create_account(app, "olga@example.com")
        await self.old_preference(app, old)
        async with client_for(app, old) as client:
            email_only = await client.put(
                "/api/v1/notifications/preferences", json={"email_enabled": True}
            )
            opted_out = await client.put(
                "/api/v1/notifications/preferences", json={"categories": ["documents"]}
            )
            reread = (await client.get("/api/v1/notifications/preferences")).json()
            await self.task_assigned(app, old)
            received = await self.workflow_notifications(client)
        assert email_only.json()["categories"] == ["documents", "team", "workflows"]
        assert opted_out.json()["categories"] == ["documents"]
        assert reread["categories"] == ["documents"]
        assert received == []
