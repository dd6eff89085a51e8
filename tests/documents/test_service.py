"""Tenancy at the service layer: another team's documents and batches do not exist for you.

(The HTTP walk over every route with two real users arrives with accounts and API keys.)
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from folio.batches.service import batch as batch_service
from folio.core.deps import get_page_params
from folio.core.errors import NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.documents.repository import DocumentFilters
from folio.documents.service import document as document_service
from folio.teams.models import Team
from folio.teams.repository import TeamRepository
from tests.helpers import upload_ok


@pytest.fixture
async def other_team(app: FastAPI) -> Principal:
    async with app.state.runtime.db.session() as session:
        team = await TeamRepository.from_session(session).add(
            Team(id=new_id(IdPrefix.team), slug="other", name="Other team")
        )
    return Principal(
        team_id=team.id, team_ids=frozenset({team.id}), permissions=frozenset(Permission)
    )


@pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
async def test_other_team_sees_nothing(
    app: FastAPI, client: httpx.AsyncClient, other_team: Principal
) -> None:
    document = await upload_ok(client, content=b"secret minutes", filename="m.txt")
    batch = (
        await client.post("/api/v1/batches", files=[("files", ("a.txt", b"secret", "text/plain"))])
    ).json()
    runtime = app.state.runtime

    async with runtime.db.session() as session:
        with pytest.raises(NotFound):
            await document_service.get(session, other_team, document["id"])
        with pytest.raises(NotFound):
            await document_service.delete(session, other_team, runtime, document["id"])
        with pytest.raises(NotFound):
            await batch_service.cancel(session, other_team, runtime, batch["id"])
        listing = await document_service.list_documents(
            session, other_team, DocumentFilters(), get_page_params()
        )
        batches = await batch_service.list_batches(session, other_team, get_page_params())

    assert listing.items == []
    assert batches.items == []
    still_there = await client.get(f"/api/v1/documents/{document['id']}")
    assert still_there.json()["status"] == "queued"
