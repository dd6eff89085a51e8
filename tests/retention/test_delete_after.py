"""A document's own delete_after (set by an automation): the purge deletes it once that has
passed and it has settled, keeps what a legal hold holds, and leaves later dates alone."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from folio.core.db import utcnow
from folio.documents.models import Document
from folio.retention.purge import purge_all
from tests.helpers import assert_problem, upload_ok, wait_settled


async def test_the_purge_honours_delete_after_and_holds(
    app: FastAPI, client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    due, held, later = [
        await upload_ok(client, content=f"note {n}".encode(), filename=f"{n}.txt")
        for n in ("due", "held", "later")
    ]
    theirs = await upload_ok(second_client, content=b"their note", filename="t.txt")
    for item in (due, held, later):
        await wait_settled(client, item["id"])
    await wait_settled(second_client, theirs["id"])
    past, future = utcnow() - timedelta(minutes=1), utcnow() + timedelta(days=1)
    async with app.state.runtime.db.session() as session:
        for item, moment in ((due, past), (held, past), (later, future), (theirs, past)):
            await session.execute(
                update(Document).where(Document.id == item["id"]).values(delete_after=moment)
            )
    hold = await client.post(
        "/api/v1/legal-holds", json={"document_id": held["id"], "reason": "case 9"}
    )
    assert hold.status_code == 201, hold.text

    summary = (await client.post("/api/v1/retention/purge")).json()

    assert (summary["documents_deleted"], summary["held"]) == (1, 1), summary
    assert_problem(await client.get(f"/api/v1/documents/{due['id']}"), 404, "NOT_FOUND")
    for kept in (held, later):
        assert (await client.get(f"/api/v1/documents/{kept['id']}")).status_code == 200
    # the purge acts for the calling team only: the other team's due document waits for its own
    assert (await second_client.get(f"/api/v1/documents/{theirs['id']}")).status_code == 200

    # the periodic purge visits every team with a due document, policies or not
    await purge_all(app.state.runtime)
    assert_problem(await second_client.get(f"/api/v1/documents/{theirs['id']}"), 404, "NOT_FOUND")
    assert (await client.get(f"/api/v1/documents/{held['id']}")).status_code == 200
