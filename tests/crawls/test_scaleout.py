"""Several processes crawling one database: each API process runs a CrawlSupervisor. Here
two supervisors with their own runtimes (engine, blob storage, de-duplication index) run
next to the app that takes the requests, on SQLite and, when it is reachable, PostgreSQL.
They prove that every chunk runs once, that near-duplicates are found across processes,
and that a chunk whose process died is claimed again once its lease lapses."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select

from folio.assembly import build_runtime
from folio.config import Settings
from folio.core.db import utcnow
from folio.core.leases import holder_name as supervisor_name
from folio.core.runtime import Runtime
from folio.crawls.models import CrawlChunk
from folio.crawls.repository import CrawlRepository
from folio.crawls.supervisor import CrawlSupervisor
from folio.datasets.builder import build_next
from folio.images.models import CrawledImage
from tests.crawls.test_api import CRAWL_SETTINGS, create_project, wait_final
from tests.scaleout.stack import PG_URL, create_database, drop_database, migrate
from tests.webcrawl.site import MANY_PER_PAGE, MANY_UNIQUE, LocalSite

PAGES = 8


def postgres_reachable() -> bool:
    async def probe() -> None:
        connection = await asyncpg.connect(PG_URL, timeout=2)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    if request.param == "sqlite":
        yield {}
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    name = f"folio_crawl_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_database(name))
    url = f"{PG_URL.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    try:
        asyncio.run(migrate(url))
        yield {"database_url": url, "storage_dir": tmp_path / "shared-blobs"}
    finally:
        asyncio.run(drop_database(name))


@pytest.fixture
def settings_overrides(backend: dict[str, object]) -> dict[str, object]:
    """The app takes requests only; the supervisors of the test do the crawling."""
    return {**CRAWL_SETTINGS, **backend, "crawler_max_running_chunks": 0}


@asynccontextmanager
async def processes(settings: Settings, count: int, **extra: Any) -> AsyncIterator[list[Runtime]]:
    """``count`` runtimes (engine, blobs, event bus, per-process caches) on one database, as
    separate API processes would have."""
    update = {"crawler_max_running_chunks": 2, "crawler_downloads_per_chunk": 4, **extra}
    runtimes = [build_runtime(settings.model_copy(update=update)) for _ in range(count)]
    try:
        for runtime in runtimes:
            await runtime.bus.start()
        yield runtimes
    finally:
        for runtime in runtimes:
            await runtime.bus.stop()
            await runtime.db.dispose()


@asynccontextmanager
async def supervising(*runtimes: Runtime) -> AsyncIterator[list[CrawlSupervisor]]:
    started: list[CrawlSupervisor] = []
    try:
        for runtime in runtimes:
            supervisor = CrawlSupervisor(runtime, build_next)
            await supervisor.start()
            started.append(supervisor)
        yield started
    finally:
        for supervisor in started:
            await supervisor.stop()


async def create_job(client: httpx.AsyncClient, project_id: str, **body: Any) -> str:
    response = await client.post(
        "/api/v1/crawl-jobs",
        json={"project_id": project_id, "max_depth": 0, "start": True, **body},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def chunks_of(runtime: Runtime, job_id: str) -> list[CrawlChunk]:
    async with runtime.db.session(write=False) as session:
        return list(await CrawlRepository.from_session(session).chunks(job_id))


class TestTwoSupervisors:
    async def test_every_chunk_runs_once_and_duplicates_are_found_across_processes(
        self, settings: Settings, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        seeds = [f"{test_site.base_url}/many/{k}.html" for k in range(PAGES)]
        job_id = await create_job(client, project["id"], seeds=seeds, start=False)
        async with processes(settings, 2) as runtimes, supervising(*runtimes) as (first, second):
            # started once both supervisors run: under load the first could otherwise finish
            # every chunk while the second was still starting up
            assert (await client.post(f"/api/v1/crawl-jobs/{job_id}/start")).status_code == 200
            progress = await wait_final(client, job_id)
            chunks = await chunks_of(first.runtime, job_id)
            async with first.runtime.db.session(write=False) as session:
                rows = (
                    await session.scalars(select(CrawledImage).where(CrawledImage.job_id == job_id))
                ).all()

        assert progress["status"] == "completed", progress
        assert progress["completed_chunks"] == PAGES == len(chunks)
        assert [c.attempts for c in chunks] == [1] * PAGES
        assert {c.lease_owner for c in chunks} == {first.name, second.name}  # both worked
        images = PAGES * MANY_PER_PAGE
        for number in range(images):  # no URL was downloaded twice
            assert test_site.hits[f"/many/{number}.jpg"] == 1
        for page in range(PAGES):
            assert test_site.hits[f"/many/{page}.html"] == 1

        # each picture is on several pages, crawled by both processes: one original each
        unique = [r for r in rows if r.is_valid and not r.is_duplicate]
        assert len(rows) == images and all(r.is_valid for r in rows)
        assert len(unique) == len({r.sha256 for r in unique}) == MANY_UNIQUE
        assert progress["images_accepted"] == MANY_UNIQUE
        assert progress["images_duplicate"] == images - MANY_UNIQUE
        originals = {r.id for r in unique}
        assert all(r.duplicate_of in originals for r in rows if r.is_duplicate)
        assert sorted({r.dedup_seq for r in unique})[0] >= 1
        completed = (await client.get("/api/v1/events", params={"type": "job.completed"})).json()[
            "items"
        ]
        assert [e["data"]["job_id"] for e in completed] == [job_id]  # announced once

    async def test_a_process_that_restarts_or_joins_knows_the_earlier_images(
        self, settings: Settings, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        """A new process's index loads the project's hashes from the database; one loaded
        earlier catches up with what another process added since, and forgets an original
        that was deleted elsewhere. Only one process crawls at a time here, so each step
        is known to run where it says."""
        project = await create_project(client)
        base = test_site.base_url + "/img/"

        async def crawl(runtime: Runtime, name: str) -> dict[str, Any]:
            async with supervising(runtime):
                job = await create_job(client, project["id"], url_list=base + name)
                return await wait_final(client, job)

        async with processes(settings, 2) as (one, two):
            assert (await crawl(one, "cat.jpg"))["images_accepted"] == 1  # one's index: cat
            assert (await crawl(two, "cat-reencoded.png"))["images_duplicate"] == 1  # loaded
            assert (await crawl(two, "dog-small.jpg"))["images_accepted"] == 1
            assert (await crawl(one, "dog.jpg"))["images_duplicate"] == 1  # caught up
            cat = (await client.get("/api/v1/images", params={"project_id": project["id"]})).json()[
                "items"
            ][0]
            assert cat["source_url"] == base + "cat.jpg"
            assert (await client.delete(f"/api/v1/images/{cat['id']}")).status_code == 204
            again = await crawl(one, "cat-copy.jpg")  # one's index still holds the cat
        assert again["images_duplicate"] == 0 and again["images_accepted"] == 1


class TestLeases:
    @pytest.fixture
    def dead_pid(self) -> int:
        """The pid of a process of this machine that has exited."""
        process = subprocess.Popen(["true"])
        process.wait()
        return process.pid

    async def test_a_lapsed_lease_is_claimed_again_and_a_live_one_is_not(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        test_site: LocalSite,
        dead_pid: int,
    ) -> None:
        project = await create_project(client)
        seeds = [f"{test_site.base_url}/many/{k}.html" for k in range(3)]
        job_id = await create_job(client, project["id"], seeds=seeds)
        host = supervisor_name().split(":", 1)[0]
        owners = [
            "elsewhere:1:a",  # another machine: its lease lapses in 1.5 s
            f"{host}:{dead_pid}:b",  # a dead process here: SQLite releases it at start
            "elsewhere:2:c",  # another machine, alive: holds its lease all along
        ]
        runtime = build_runtime(settings)
        try:
            chunks = await chunks_of(runtime, job_id)
            async with runtime.db.session() as session:
                repository = CrawlRepository.from_session(session)
                now = utcnow()
                for chunk, owner, seconds in zip(chunks, owners, (1.5, 1.5, 600), strict=True):
                    lease = timedelta(seconds=seconds)
                    assert await repository.claim(owner, now, lease, chunk_ids=[chunk.id])
            lease = {"crawler_chunk_lease_s": 3.0}
            async with (
                processes(settings, 1, **lease) as runtimes,
                supervising(*runtimes) as (supervisor,),
            ):
                await asyncio.sleep(0.6)
                early = {c.id: c for c in await chunks_of(runtime, job_id)}
                for _ in range(100):
                    later = {c.id: c for c in await chunks_of(runtime, job_id)}
                    if sum(c.status == "completed" for c in later.values()) == 2:
                        break
                    await asyncio.sleep(0.2)
                await asyncio.sleep(0.5)
                final = {c.id: c for c in await chunks_of(runtime, job_id)}
        finally:
            await runtime.db.dispose()
        first, local, live = (c.id for c in chunks)
        assert early[first].lease_owner == owners[0]  # not before its lease lapsed
        if settings.is_sqlite:
            assert early[local].lease_owner == supervisor.name  # released at start
        assert (final[first].status, final[first].lease_owner) == ("completed", supervisor.name)
        assert (final[local].status, final[local].lease_owner) == ("completed", supervisor.name)
        assert final[first].attempts == final[local].attempts == 2
        assert (final[live].status, final[live].lease_owner) == ("running", owners[2])
        assert final[live].attempts == 1
