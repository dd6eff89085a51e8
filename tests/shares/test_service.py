"""The public download's counter: written on its own, only once the download's unit of work
ended well. A failing request cannot be made over HTTP after the service returned, so these
run the service inside a unit of work as the request's session dependency does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from folio.core.runtime import Runtime
from folio.shares.service import share as share_service
from tests.helpers import upload_ok


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


@pytest.fixture
async def link(client: httpx.AsyncClient) -> dict[str, Any]:
    document = await upload_ok(client, content=b"Shared minutes.", filename="minutes.txt")
    response = await client.post(f"/api/v1/documents/{document['id']}/shares", json={})
    assert response.status_code == 201, response.text
    return {**response.json(), "document_id": document["id"]}


async def download_count(client: httpx.AsyncClient, link: dict[str, Any]) -> int:
    listed = (await client.get(f"/api/v1/documents/{link['document_id']}/shares")).json()
    return int(listed["items"][0]["download_count"])


class TestOpenShared:
    async def test_counts_once_the_download_ended_well(
        self, app: FastAPI, client: httpx.AsyncClient, link: dict[str, Any]
    ) -> None:
        runtime: Runtime = app.state.runtime

        async with runtime.db.session(write=False) as session:
            await share_service.open_shared(session, runtime, link["token"])
            during = await download_count(client, link)

        assert during == 0  # not written beside the download's own unit of work
        assert await download_count(client, link) == 1

    async def test_a_failed_download_does_not_count(
        self, app: FastAPI, client: httpx.AsyncClient, link: dict[str, Any]
    ) -> None:
        runtime: Runtime = app.state.runtime

        with pytest.raises(RuntimeError):
            async with runtime.db.session(write=False) as session:
                await share_service.open_shared(session, runtime, link["token"])
                raise RuntimeError("the response could not be sent")

        assert await download_count(client, link) == 0
