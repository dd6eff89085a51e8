"""Builds one pending dataset: the project's valid, non-duplicate images, split by ratio with
the dataset's seed, written by ``folio.webcrawl.export`` in a worker thread.

Several processes may build against one database. A build is claimed with a compare-and-set
that gives it a lease (``crawler_chunk_lease_s``, as crawl chunks have), renewed while the
file is written. The build of a process that died keeps its "building" status only until the
lease lapses (at once, when that process ran on this machine and the database is SQLite, or
was this process): another process then builds it again. Each attempt writes its own file,
and only the holder of the lease may mark the dataset ready with it, so a half-written or
stale file is never what a download serves; earlier attempts' files are removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio

from folio.core.db import after_commit, utcnow
from folio.core.events import Event
from folio.core.leases import holder_name
from folio.core.runtime import Runtime
from folio.datasets.models import Dataset, DatasetFormat, DatasetStatus
from folio.datasets.repository import DatasetRepository
from folio.events.service import event as event_service
from folio.images.models import CrawledImage
from folio.images.repository import ImageRepository
from folio.webcrawl.export import (
    SPLITS,
    assign_splits,
    with_files,
    write_parquet,
    write_webdataset,
    write_zip,
)

logger = logging.getLogger("folio.datasets")
LIVE_BUILDERS: set[str] = set()  # the lease holders of the builds running in this process
SUFFIX = {
    DatasetFormat.zip: "zip",
    DatasetFormat.webdataset: "tar",
    DatasetFormat.parquet: "parquet",
}


def manifest_row(image: CrawledImage) -> dict[str, Any]:
    return {
        "id": image.id,
        "label": image.label,
        "width": image.width,
        "height": image.height,
        "format": image.format,
        "bytes": image.bytes,
        "sha256": image.sha256,
        "phash": image.phash,
        "source_url": image.source_url,
        "page_url": image.page_url,
        "license": image.license,
        "license_url": image.license_url,
        "creator": image.creator,
        "attribution": image.attribution,
        "title": image.title,
        "alt_text": image.alt_text,
        "blob_key": image.blob_key,
    }


async def build_next(runtime: Runtime) -> str | None:
    """Claims and builds the oldest pending dataset, or one whose build lease lapsed; returns
    its id (None: nothing to do)."""
    owner = holder_name()
    LIVE_BUILDERS.add(owner)  # before the claim commits: this process's other builders look
    try:
        claimed = await claim_next(runtime, owner)
        if claimed is None:
            return None
        dataset, rows, attempt = claimed
        await build(runtime, dataset, rows, owner, attempt)
        return dataset.id
    finally:
        LIVE_BUILDERS.discard(owner)


async def claim_next(
    runtime: Runtime, owner: str
) -> tuple[Dataset, list[dict[str, Any]], int] | None:
    """Gives builds of gone holders back, then claims one: the dataset, its manifest rows
    and the attempt number."""
    lease = timedelta(seconds=runtime.settings.crawler_chunk_lease_s)
    async with runtime.db.session() as session:
        repository = DatasetRepository.from_session(session)
        # builds whose holder is known to be gone go back without waiting for their lease
        await repository.release_gone(LIVE_BUILDERS, any_pid=runtime.db.is_sqlite)
        dataset_id = await repository.claim(owner, utcnow(), lease)
        dataset = await repository.by_id(dataset_id) if dataset_id is not None else None
        if dataset is None:
            return None
        attempt = dataset.attempts
        images = await ImageRepository.from_session(session).dataset_rows(dataset.project_id)
        labels = set(dataset.options.get("labels") or [])
        rows = [manifest_row(i) for i in images if not labels or i.label in labels]
    return dataset, rows, attempt


def blob_key(dataset: Dataset, attempt: int) -> str:
    return f"datasets/{dataset.team_id}/{dataset.id}-{attempt}.{SUFFIX[dataset.format]}"


async def build(
    runtime: Runtime, dataset: Dataset, rows: Sequence[dict[str, Any]], owner: str, attempt: int
) -> None:
    key = blob_key(dataset, attempt)
    try:
        size, counts = await write_leased(runtime, dataset, rows, owner, key)
    except asyncio.CancelledError:  # stopping: another process may build it now
        await asyncio.shield(give_back(runtime, dataset.id, owner))
        raise
    except Exception as error:
        logger.exception("dataset %s failed", dataset.id)
        message = f"{type(error).__name__}: {error}"[:500]
        if await finish(runtime, dataset.id, owner, attempt, error=message):
            delete_blobs(runtime, [key])
        return
    recorded = await finish(
        runtime, dataset.id, owner, attempt, size=size, counts=counts, count=len(rows)
    )
    if not recorded:
        logger.warning("dataset %s: another process took the build over", dataset.id)
        delete_blobs(runtime, [key])


async def write_leased(
    runtime: Runtime, dataset: Dataset, rows: Sequence[dict[str, Any]], owner: str, key: str
) -> tuple[int, dict[str, int]]:
    """Writes the file in a worker thread (waited for even when cancelled) while the lease
    is renewed beside it."""
    done = asyncio.Event()
    renewal = asyncio.create_task(keep_lease(runtime, dataset.id, owner, done))
    try:
        return await anyio.to_thread.run_sync(write_dataset, runtime, dataset, rows, key)
    finally:
        done.set()  # the renewal ends between its database calls, never inside one
        await renewal


async def keep_lease(runtime: Runtime, dataset_id: str, owner: str, done: asyncio.Event) -> None:
    """Renews the build's lease every third of its length until ``done``; stops early when
    the build is no longer this holder's (it stalled past its lease and another took it)."""
    seconds = runtime.settings.crawler_chunk_lease_s
    while not done.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds / 3):
                await done.wait()
        if done.is_set():
            return
        try:
            async with runtime.db.session() as session:
                until = utcnow() + timedelta(seconds=seconds)
                repository = DatasetRepository.from_session(session)
                held = await repository.renew(dataset_id, owner, until)
        except Exception:
            logger.exception("could not renew the lease of dataset %s", dataset_id)
            continue
        if not held:
            logger.warning("dataset %s: the build lease of %s was taken over", dataset_id, owner)
            return


async def give_back(runtime: Runtime, dataset_id: str, owner: str) -> None:
    try:
        async with runtime.db.session() as session:
            await DatasetRepository.from_session(session).release({owner})
    except Exception:  # the database is gone: the lease lapses instead
        logger.warning("could not release the build of dataset %s", dataset_id)


def write_dataset(
    runtime: Runtime, dataset: Dataset, rows: Sequence[dict[str, Any]], key: str
) -> tuple[int, dict[str, int]]:
    """Writes the file in a fresh work folder (removing those earlier attempts on this
    machine left behind), then stores it under ``key`` in one atomic put."""
    splits = assign_splits([r["id"] for r in rows], dataset.split, dataset.seed)
    placed = with_files(rows, splits)
    storage = runtime.storage

    def read_blob(key: str) -> bytes:
        with storage.open(key) as handle:
            return handle.read()

    data_dir = Path(runtime.settings.data_dir)
    prefix = f"dataset-{dataset.id}-"
    for stale in data_dir.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=prefix, dir=data_dir) as work:
        target = Path(work) / "dataset"
        if dataset.format is DatasetFormat.zip:
            write_zip(target, placed, read_blob)
        elif dataset.format is DatasetFormat.webdataset:
            write_webdataset(target, placed, read_blob, dataset.options.get("shard_size", 1000))
        else:
            include = dataset.options.get("include_images", False)
            write_parquet(target, placed, read_blob if include else None)
        with target.open("rb") as source:
            stored = storage.put_stream(key, source, max_bytes=1 << 40)
    counts = {name: sum(1 for r in placed if r["split"] == name) for name in SPLITS}
    return stored.size, counts


def delete_blobs(runtime: Runtime, keys: Sequence[str]) -> None:
    """Best effort: an orphaned file is harmless."""
    for key in keys:
        try:
            runtime.storage.delete(key)
        except Exception:
            logger.warning("could not delete the dataset file %s", key)


async def finish(
    runtime: Runtime,
    dataset_id: str,
    owner: str,
    attempt: int,
    *,
    size: int = 0,
    counts: dict[str, int] | None = None,
    count: int = 0,
    error: str | None = None,
) -> bool:
    """Records the build's outcome if ``owner`` still holds its lease (False: it does not,
    and nothing changed). Files of earlier attempts are removed once it is recorded."""
    async with runtime.db.session() as session:
        dataset = await DatasetRepository.from_session(session).locked(dataset_id)
        if dataset is None or not holds_lease(dataset, owner):
            return False
        dataset.lease_expires_at = None  # the owner stays: who built it last
        earlier = [blob_key(dataset, n) for n in range(1, attempt)]

        async def cleanup() -> None:
            delete_blobs(runtime, earlier)

        after_commit(session, cleanup)
        if error is not None:
            dataset.status, dataset.error_message = DatasetStatus.failed, error
            return True
        dataset.status, dataset.ready_at = DatasetStatus.ready, utcnow()
        dataset.bytes, dataset.image_count, dataset.split_counts = size, count, counts or {}
        dataset.blob_key = blob_key(dataset, attempt)
        data = {
            "dataset_id": dataset.id,
            "project_id": dataset.project_id,
            "format": dataset.format.value,
            "image_count": count,
            "bytes": size,
            "download_url": f"/api/v1/datasets/{dataset.id}/download",
        }
        await event_service.emit(
            session, runtime, Event(type="dataset.ready", team_id=dataset.team_id, data=data)
        )
    return True


def holds_lease(dataset: Dataset, owner: str) -> bool:
    return dataset.status is DatasetStatus.building and dataset.lease_owner == owner
