"""A chunk halted by a shutdown stays pending, whatever point of its crawl the stop reached:
the next process runs it again and the job completes with every image."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from folio.config import Settings
from folio.core.db import utcnow
from folio.core.leases import holder_name
from folio.core.runtime import Runtime
from folio.crawls.chunks import run_chunk
from folio.crawls.models import ChunkStatus
from folio.crawls.repository import CrawlRepository
from tests.crawls.test_api import CRAWL_SETTINGS, create_project, wait_final
from tests.crawls.test_scaleout import chunks_of, create_job, processes, supervising
from tests.webcrawl.site import LocalSite

ACCEPTED_ON_THE_INDEX = 6  # the site's index page at depth 1, at least 64x64 pixels


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """The app takes requests only: chunks run where a test runs them."""
    return {**CRAWL_SETTINGS, "crawler_max_running_chunks": 0}


async def claim(runtime: Runtime, chunk_id: str) -> str:
    owner, now = holder_name(), utcnow()
    async with runtime.db.session() as session:
        repository = CrawlRepository.from_session(session)
        assert await repository.claim(owner, now, timedelta(minutes=5), chunk_ids=[chunk_id])
    return owner


class TestStopBeforeTheFirstImage:
    async def test_the_chunk_stays_pending_and_a_later_run_completes_it(
        self, settings: Settings, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        job_id = await create_job(
            client,
            project["id"],
            seeds=[test_site.base_url + "/"],
            max_depth=1,
            quality_filters={"min_resolution": [64, 64]},
        )
        async with processes(settings, 1) as (runtime,):
            (chunk,) = await chunks_of(runtime, job_id)
            owner = await claim(runtime, chunk.id)
            # stopping before the seed page is read: the page stream ends with nothing
            await run_chunk(runtime, chunk.id, owner=owner, should_stop=lambda: True)
            (halted,) = await chunks_of(runtime, job_id)
            assert halted.status is ChunkStatus.pending
            halfway = (await client.get(f"/api/v1/crawl-jobs/{job_id}/progress")).json()
            assert halfway["status"] == "running" and halfway["images_accepted"] == 0
            async with supervising(runtime):
                progress = await wait_final(client, job_id)
        assert progress["status"] == "completed"
        assert progress["images_accepted"] == ACCEPTED_ON_THE_INDEX
