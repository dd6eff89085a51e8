"""Keeping what a chunk downloaded: blobs stored before the transaction, then one
transaction per batch under the project's row lock records rejections, duplicates and new
images, charges credits and counts them on the job and chunk."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.runtime import Runtime
from folio.crawls.engines import ChunkRun, Halt
from folio.crawls.models import CrawlChunk, CrawlJob, CrawlStatus
from folio.crawls.repository import CrawlRepository
from folio.credits.service import credit as credit_service
from folio.images.dedup import ProjectIndex, catch_up, find_duplicate, project_index
from folio.images.models import CrawledImage
from folio.images.repository import ImageRepository
from folio.projects.repository import ProjectRepository
from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.web import Downloaded, Refused


def store_blobs(run: ChunkRun, results: Sequence[Downloaded | Refused]) -> dict[int, tuple]:
    """Writes image and thumbnail before the database transaction (it must not hold the
    write lock during file I/O); blobs of rows that are not recorded are removed after."""
    storage, keys = run.runtime.storage, {}
    for position, result in enumerate(results):
        if isinstance(result, Downloaded):
            image_id = new_id(IdPrefix.image)
            base = f"crawls/{run.plan.project_id}/{image_id[-2:]}/{image_id}"
            key = f"{base}.{'jpg' if result.image.format == 'jpeg' else result.image.format}"
            storage.put_stream(key, io.BytesIO(result.image.content), max_bytes=1 << 31)
            storage.put_stream(
                f"{base}.thumb.jpg", io.BytesIO(result.image.thumbnail), max_bytes=1 << 31
            )
            keys[position] = (image_id, key, f"{base}.thumb.jpg")
    return keys


async def record(
    run: ChunkRun, results: Sequence[Downloaded | Refused], keys: dict[int, tuple]
) -> Halt | None:
    index = await project_index(run.runtime, run.plan.project_id)
    added: set[str] = set()
    try:
        halt, seq = await _record(run, results, keys, index, added)
    except Exception:
        index.dedup.remove(added)  # hashes that were never committed
        raise
    if seq is None:
        index.dedup.remove(added)
    else:
        index.seq = max(index.seq, seq)  # it had caught up to the seq before this commit
    return halt


async def _record(
    run: ChunkRun,
    results: Sequence[Downloaded | Refused],
    keys: dict[int, tuple],
    index: ProjectIndex,
    added: set[str],
) -> tuple[Halt | None, int | None]:
    """Records a batch in one transaction under the project's row lock; returns the halt
    and the project's dedup_seq after it (None: nothing recorded, the chunk is not ours)."""
    halt: Halt | None = None
    unused: list[str] = []
    seq: int | None = None
    async with run.runtime.db.session() as session:
        crawls = CrawlRepository.from_session(session)
        project = await ProjectRepository.from_session(session).locked(run.plan.project_id)
        job = await crawls.job(run.plan.job_id, lock=True)
        chunk = await crawls.chunk(run.chunk_id, lock=True)
        if project is None or job is None or chunk is None or not chunk.is_held_by(run.owner):
            halt = Halt.stopped  # deleted, or taken over by another process: record nothing
            unused = [k for entry in keys.values() for k in entry[1:]]
        else:
            await catch_up(session, index, project)
            admitted = await admit(session, run, job, results, keys, index, added)
            rows, accepted, halt, unused = admitted
            if accepted:
                project.dedup_seq += 1
                for row in rows:
                    if row.is_valid and not row.is_duplicate:
                        row.dedup_seq = project.dedup_seq
            ImageRepository.from_session(session).add_all(rows)
            count_into(job, chunk, rows, accepted)
            await credit_service.charge(
                session, run.runtime, job.team_id, accepted, job_id=job.id, chunk_id=chunk.id
            )
            if halt is Halt.credits:
                job.status = CrawlStatus.paused
                job.error_code = "INSUFFICIENT_CREDITS"
                job.error_message = (
                    "The team ran out of credits; grant more and start the job again."
                )
            elif job.status is not CrawlStatus.running and halt is None:
                halt = Halt.stopped
            seq = project.dedup_seq
    delete_blobs(run.runtime, unused)
    return halt, seq


async def admit(
    session: AsyncSession,
    run: ChunkRun,
    job: CrawlJob,
    results: Sequence[Downloaded | Refused],
    keys: dict[int, tuple],
    index: ProjectIndex,
    added: set[str],
) -> tuple[list[CrawledImage], int, Halt | None, list[str]]:
    """The batch's rows: rejections, duplicates and, within the job's room and the team's
    credits, new unique images (added to the index). Also the blob keys left unused."""
    credits = await credit_service.available(session, run.runtime, job.team_id)
    room = job.max_images - (job.images_valid - job.images_duplicate)
    # another chunk of this job may have recorded a URL since the batch started
    taken = await ImageRepository.from_session(session).known_urls(
        job.id, [r.ref.url for r in results]
    )
    rows: list[CrawledImage] = []
    unused: list[str] = []
    accepted, halt = 0, None
    for position, result in enumerate(results):
        if result.ref.url in taken:
            unused += list(keys.get(position, ())[1:])
            continue
        if isinstance(result, Refused):
            rows.append(rejected_row(run, result))
            continue
        image_id, key, thumb = keys[position]
        duplicate = await find_duplicate(session, index.dedup, result.image, added)
        if duplicate is None and (accepted >= room or accepted >= credits):
            halt = Halt.max_images if accepted >= room else Halt.credits
            unused += [key, thumb]
            continue
        if duplicate is None:
            accepted += 1
            index.dedup.add(image_id, result.image.sha256, result.image.phash)
            added.add(image_id)
        rows.append(valid_row(run, result, image_id, key, thumb, duplicate))
    return rows, accepted, halt, unused


def delete_blobs(runtime: Runtime, keys: Sequence[str]) -> None:
    for key in keys:
        runtime.storage.delete(key)


def count_into(
    job: CrawlJob, chunk: CrawlChunk, rows: Sequence[CrawledImage], accepted: int
) -> None:
    job.images_downloaded += sum(1 for r in rows if r.bytes is not None)
    job.images_valid += sum(1 for r in rows if r.is_valid)
    job.images_failed += sum(1 for r in rows if not r.is_valid)
    job.images_duplicate += sum(1 for r in rows if r.is_duplicate)
    job.credits_used += accepted
    chunk.candidates += len(rows)
    chunk.accepted += accepted


def base_row(run: ChunkRun, ref: ImageRef) -> CrawledImage:
    return CrawledImage(
        team_id=run.plan.team_id,
        project_id=run.plan.project_id,
        job_id=run.plan.job_id,
        chunk_id=run.chunk_id,
        source_url=ref.url,
        page_url=ref.page_url,
        found_in=ref.found_in,
        source=source_of(ref.found_in),
        alt_text=(ref.alt or None) and ref.alt[:1000],
        title=ref.title and ref.title[:500],
        label=ref.label or run.plan.default_label,
        license=ref.license,
        license_url=ref.license_url,
        creator=ref.creator and ref.creator[:500],
        attribution=ref.attribution and ref.attribution[:2000],
        created_at=utcnow(),
    )


def source_of(found_in: str) -> str:
    if found_in in ("openverse", "wikimedia", "url"):
        return "urls" if found_in == "url" else found_in
    return "web"


def rejected_row(run: ChunkRun, refused: Refused) -> CrawledImage:
    row = base_row(run, refused.ref)
    row.id = new_id(IdPrefix.image)
    row.is_valid = False
    row.rejection_reason = refused.rejection.reason
    row.rejection_message = refused.rejection.message[:500]
    row.bytes = refused.size
    return row


def valid_row(
    run: ChunkRun,
    result: Downloaded,
    image_id: str,
    key: str,
    thumb: str,
    duplicate: tuple | None,
) -> CrawledImage:
    image = result.image
    row = base_row(run, result.ref)
    row.id, row.final_url, row.is_valid = image_id, result.final_url, True
    row.sha256, row.phash = image.sha256, image.phash_hex
    row.width, row.height, row.format = image.width, image.height, image.format
    row.source_format, row.bytes = image.source_format, len(image.content)
    row.blob_key, row.thumbnail_key = key, thumb
    if duplicate is not None:
        kind, match = duplicate
        row.is_duplicate, row.duplicate_kind = True, kind
        row.duplicate_of, row.duplicate_distance = match.image_id, match.distance
    return row
