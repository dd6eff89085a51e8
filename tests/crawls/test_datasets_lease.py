"""Dataset builds hold a lease, as crawl chunks do: a build whose process died is built again
by another process once its lease lapses (or at once, when that process ran on this machine
and the database is SQLite), a live lease is left alone, and the file a dead build left
half-written is never served. On SQLite and, when it is reachable, PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from folio.config import Settings
from folio.core.db import utcnow
from folio.core.leases import holder_name as builder_name
from folio.core.runtime import Runtime
from folio.datasets.builder import blob_key, finish, keep_lease
from folio.datasets.models import Dataset
from folio.datasets.repository import DatasetRepository
from tests.crawls.test_api import CRAWL_SETTINGS, create_project, wait_final
from tests.crawls.test_scaleout import create_job, postgres_reachable, processes, supervising
from tests.scaleout.stack import PG_URL, create_database, drop_database, migrate
from tests.webcrawl.site import LocalSite

IMAGES = 10  # /many/0.html shows ten different pictures


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    if request.param == "sqlite":
        yield {}
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    name = f"folio_datasets_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_database(name))
    url = f"{PG_URL.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    try:
        asyncio.run(migrate(url))
        yield {"database_url": url, "storage_dir": tmp_path / "shared-blobs"}
    finally:
        asyncio.run(drop_database(name))


@pytest.fixture
def settings_overrides(backend: dict[str, object]) -> dict[str, object]:
    """The app takes requests only: datasets stay pending until a test's process builds."""
    return {**CRAWL_SETTINGS, **backend, "crawler_max_running_chunks": 0}


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process of this machine that has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


async def crawled_project(client: httpx.AsyncClient, settings: Settings, site: LocalSite) -> str:
    project = await create_project(client)
    job = await create_job(client, project["id"], seeds=[f"{site.base_url}/many/0.html"])
    async with processes(settings, 1) as runtimes, supervising(*runtimes):
        progress = await wait_final(client, job)
    assert progress["images_accepted"] == IMAGES, progress
    return project["id"]


async def new_dataset(client: httpx.AsyncClient, project_id: str) -> str:
    response = await client.post(f"/api/v1/projects/{project_id}/datasets", json={})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def take(runtime: Runtime, dataset_id: str, owner: str, seconds: float) -> int:
    """Marks the dataset building by ``owner`` with a lease of ``seconds`` (negative: lapsed)."""
    async with runtime.db.session() as session:
        repository = DatasetRepository.from_session(session)
        lease = timedelta(seconds=seconds)
        assert await repository.claim(owner, utcnow(), lease, dataset_id=dataset_id) == dataset_id
        dataset = await repository.by_id(dataset_id)
    assert dataset is not None
    return dataset.attempts


async def row(runtime: Runtime, dataset_id: str) -> Dataset:
    async with runtime.db.session(write=False) as session:
        found = await DatasetRepository.from_session(session).by_id(dataset_id)
    assert found is not None
    return found


async def wait_ready(client: httpx.AsyncClient, dataset_id: str) -> dict:
    for _ in range(4):
        found = (await client.get(f"/api/v1/datasets/{dataset_id}", params={"wait": 10})).json()
        if found["status"] in ("ready", "failed"):
            return found
    raise AssertionError(f"the dataset was not built: {found}")


class TestBuildLeases:
    async def test_a_dead_build_is_rebuilt_and_a_live_one_is_left_alone(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        test_site: LocalSite,
        dead_pid: int,
    ) -> None:
        project_id = await crawled_project(client, settings, test_site)
        lapsed, local, live = [await new_dataset(client, project_id) for _ in range(3)]
        host = builder_name().split(":", 1)[0]
        async with processes(settings, 1) as (runtime,):
            assert await take(runtime, lapsed, "elsewhere:1:a", -1) == 1  # its lease lapsed
            await take(runtime, local, f"{host}:{dead_pid}:b", 600)  # died on this machine
            await take(runtime, live, "elsewhere:2:c", 600)  # another machine, alive
            # what the dead build left: a half-written file and its work folder
            half = blob_key(await row(runtime, lapsed), 1)
            runtime.storage.put_stream(half, io.BytesIO(b"PK\x03\x04 half"), max_bytes=1 << 20)
            leftover = Path(settings.data_dir) / f"dataset-{lapsed}-dead"
            leftover.mkdir()
            (leftover / "dataset").write_bytes(b"PK\x03\x04 half")

            async with supervising(runtime):
                built = await wait_ready(client, lapsed)
                if settings.is_sqlite:  # released at start: its process is gone
                    assert (await wait_ready(client, local))["status"] == "ready"
                await asyncio.sleep(0.5)
                kept = await row(runtime, live)
            rebuilt = await row(runtime, lapsed)
            assert not runtime.storage.exists(half)
            assert not leftover.exists()

        assert built["status"] == "ready" and built["image_count"] == IMAGES, built
        assert rebuilt.attempts == 2 and rebuilt.lease_owner not in (None, "elsewhere:1:a")
        assert rebuilt.blob_key == blob_key(rebuilt, 2) and rebuilt.lease_expires_at is None
        download = await client.get(built["download_url"])
        assert download.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert len(rows) == IMAGES and all(r["file"] in archive.namelist() for r in rows)
        assert (kept.status, kept.lease_owner, kept.attempts) == ("building", "elsewhere:2:c", 1)
        if not settings.is_sqlite:  # PostgreSQL: another pid namespace may share the host name
            assert (await row_via_api(client, local))["status"] == "building"

    async def test_a_lease_is_renewed_while_building_and_a_stale_holder_cannot_finish(
        self, settings: Settings, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        dataset_id = await new_dataset(client, project["id"])
        async with processes(settings, 2, crawler_chunk_lease_s=0.6) as (one, two):
            assert await take(one, dataset_id, "one:1:a", 0.6) == 1
            done = asyncio.Event()
            renewal = asyncio.create_task(keep_lease(one, dataset_id, "one:1:a", done))
            for _ in range(8):  # 1.6 s: well past the first lease
                await asyncio.sleep(0.2)
                async with two.db.session() as session:
                    claim = DatasetRepository.from_session(session).claim
                    lease = timedelta(seconds=5)
                    assert await claim("two:2:b", utcnow(), lease, dataset_id=dataset_id) is None
            done.set()
            await renewal
            await asyncio.sleep(0.7)  # no renewal any more: the lease lapses
            assert await take(two, dataset_id, "two:2:b", 600) == 2
            assert not await finish(one, dataset_id, "one:1:a", 1, size=1, count=1)  # stale
            taken = await row(two, dataset_id)
        assert (taken.status, taken.lease_owner, taken.attempts) == ("building", "two:2:b", 2)
        assert taken.blob_key is None and taken.image_count == 0


async def row_via_api(client: httpx.AsyncClient, dataset_id: str) -> dict:
    return (await client.get(f"/api/v1/datasets/{dataset_id}")).json()
