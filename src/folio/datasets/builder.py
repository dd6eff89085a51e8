"""Builds one pending dataset: the project's valid, non-duplicate images, split by ratio with
the dataset's seed, written by ``folio.crawler.export`` in a worker thread."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

from folio.core.db import utcnow
from folio.core.events import Event
from folio.core.runtime import Runtime
from folio.crawler.export import (
    SPLITS,
    assign_splits,
    with_files,
    write_parquet,
    write_webdataset,
    write_zip,
)
from folio.datasets.models import Dataset, DatasetFormat, DatasetStatus
from folio.datasets.repository import DatasetRepository
from folio.events.service import event as event_service
from folio.images.models import CrawledImage
from folio.images.repository import ImageRepository

logger = logging.getLogger("folio.datasets")
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
    """Claims and builds the oldest pending dataset; returns its id (None: nothing to do)."""
    async with runtime.db.session() as session:
        repository = DatasetRepository.from_session(session)
        dataset_id = await repository.next_pending_id()
        if dataset_id is None or not await repository.claim(dataset_id):
            return None
        dataset = await repository.by_id(dataset_id)
        assert dataset is not None
        images = await ImageRepository.from_session(session).dataset_rows(dataset.project_id)
        labels = set(dataset.options.get("labels") or [])
        rows = [manifest_row(i) for i in images if not labels or i.label in labels]
    try:
        size, counts = await anyio.to_thread.run_sync(write_dataset, runtime, dataset, rows)
    except Exception as error:
        logger.exception("dataset %s failed", dataset_id)
        await finish(runtime, dataset_id, error=f"{type(error).__name__}: {error}"[:500])
        return dataset_id
    await finish(runtime, dataset_id, size=size, counts=counts, count=len(rows))
    return dataset_id


def write_dataset(
    runtime: Runtime, dataset: Dataset, rows: Sequence[dict[str, Any]]
) -> tuple[int, dict[str, int]]:
    splits = assign_splits([r["id"] for r in rows], dataset.split, dataset.seed)
    placed = with_files(rows, splits)
    storage = runtime.storage

    def read_blob(key: str) -> bytes:
        with storage.open(key) as handle:
            return handle.read()

    key = f"datasets/{dataset.team_id}/{dataset.id}.{SUFFIX[dataset.format]}"
    with tempfile.TemporaryDirectory(dir=runtime.settings.data_dir) as work:
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


async def finish(
    runtime: Runtime,
    dataset_id: str,
    *,
    size: int = 0,
    counts: dict[str, int] | None = None,
    count: int = 0,
    error: str | None = None,
) -> None:
    async with runtime.db.session() as session:
        dataset = await DatasetRepository.from_session(session).by_id(dataset_id)
        if dataset is None:
            return
        if error is not None:
            dataset.status, dataset.error_message = DatasetStatus.failed, error
            return
        dataset.status, dataset.ready_at = DatasetStatus.ready, utcnow()
        dataset.bytes, dataset.image_count, dataset.split_counts = size, count, counts or {}
        dataset.blob_key = f"datasets/{dataset.team_id}/{dataset.id}.{SUFFIX[dataset.format]}"
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
