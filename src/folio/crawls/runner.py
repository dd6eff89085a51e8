"""Crawl execution. :func:`run_chunk` is the entry point (ids in, like a Celery task): it
streams a chunk's candidates, downloads and validates them in batches, de-duplicates, charges
credits and records every outcome. The database holds all state between batches, so a
stopped or crashed chunk simply runs again and skips the URLs it already recorded.

:class:`CrawlSupervisor` runs chunks as asyncio tasks inside the embedded server; it stops
them between batches, never inside a database call.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import stop_task
from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.runtime import Runtime
from folio.crawler.dedup import Deduplicator
from folio.crawler.discovery import ImageRef
from folio.crawler.fetcher import Fetcher, FetchError
from folio.crawler.images import ImageFilters
from folio.crawler.robots import RobotsCache
from folio.crawler.search import SearchError
from folio.crawler.web import Downloaded, Refused, download
from folio.crawls.engines import ChunkFailed, JobPlan, candidates, fetch_policy
from folio.crawls.models import ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus
from folio.crawls.repository import CrawlRepository
from folio.crawls.service import SUPERVISOR
from folio.crawls.service import crawl as crawl_service
from folio.credits.service import credit as credit_service
from folio.datasets.builder import build_next
from folio.images.models import CrawledImage
from folio.images.repository import ImageRepository

logger = logging.getLogger("folio.crawls")
DEDUP_CACHE = "crawls.dedup"
DEDUP_LOCK = "crawls.dedup_lock"


class Halt(StrEnum):
    max_images = "max_images"
    credits = "credits"
    stopped = "stopped"  # the job was stopped or paused, or this process is shutting down


@dataclass
class ChunkRun:
    runtime: Runtime
    plan: JobPlan
    chunk_id: str
    fetcher: Fetcher
    robots: RobotsCache
    should_stop: Callable[[], bool]
    filters: ImageFilters = field(init=False)

    def __post_init__(self) -> None:
        self.filters = filters_from(self.plan.filters, self.runtime.settings.max_image_pixels)


def filters_from(raw: dict, max_pixels: int) -> ImageFilters:
    width, height = raw.get("min_resolution") or (0, 0)
    aspect = raw.get("aspect_ratio") or (None, None)
    return ImageFilters.from_names(
        raw.get("formats"),
        min_width=width,
        min_height=height,
        max_bytes=raw.get("max_bytes"),
        min_aspect=aspect[0],
        max_aspect=aspect[1],
        max_pixels=max_pixels,
    )


async def run_chunk(
    runtime: Runtime,
    chunk_id: str,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    fetcher: Fetcher | None = None,
) -> None:
    """Runs one claimed (``running``) chunk to its end, a failure or a halt."""
    async with runtime.db.session(write=False) as session:
        repository = CrawlRepository.from_session(session)
        chunk = await repository.chunk(chunk_id)
        job = await repository.job(chunk.job_id) if chunk is not None else None
    if chunk is None or job is None or chunk.status is not ChunkStatus.running:
        return
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(fetch_policy(runtime.settings))
    run = ChunkRun(runtime, plan_of(job), chunk_id, fetcher, RobotsCache(fetcher), should_stop)
    try:
        halt = await harvest(run, chunk.engine, chunk.spec)
    except (ChunkFailed, FetchError, SearchError) as error:
        code = getattr(error, "code", None) or type(error).__name__.upper()
        await fail_chunk(runtime, job.id, chunk_id, code, str(error))
    except Exception as error:
        logger.exception("crawl chunk %s failed", chunk_id)
        await fail_chunk(runtime, job.id, chunk_id, "INTERNAL_ERROR", type(error).__name__)
    else:
        await finish_chunk(runtime, chunk_id, halt)
    finally:
        if own_fetcher:
            await fetcher.aclose()
    await settle_job(runtime, job.id)


def plan_of(job: CrawlJob) -> JobPlan:
    return JobPlan(
        job_id=job.id,
        team_id=job.team_id,
        project_id=job.project_id,
        max_depth=job.max_depth,
        allowed_domains=frozenset(job.allowed_domains),
        filters=dict(job.filters),
        default_label=job.labels[0] if job.labels else None,
    )


async def harvest(run: ChunkRun, engine: str, spec: dict) -> Halt | None:
    settings = run.runtime.settings
    batch: list[ImageRef] = []
    stream = candidates(engine, spec, run.plan, run.fetcher, run.robots, settings, run.should_stop)
    async for ref in stream:
        batch.append(ref)
        if len(batch) >= settings.crawler_downloads_per_chunk:
            if (halt := await process_batch(run, batch)) is not None:
                return halt
            batch = []
        if run.should_stop():
            return Halt.stopped
    return await process_batch(run, batch) if batch else None


async def process_batch(run: ChunkRun, refs: Sequence[ImageRef]) -> Halt | None:
    async with run.runtime.db.session(write=False) as session:
        known = await ImageRepository.from_session(session).known_urls(
            run.plan.job_id, [r.url for r in refs]
        )
    fresh = list({r.url: r for r in refs if r.url not in known}.values())
    max_bytes = run.runtime.settings.crawler_max_image_bytes
    results = await asyncio.gather(
        *(download(run.fetcher, run.robots, ref, run.filters, max_bytes=max_bytes) for ref in fresh)
    )
    keys = await asyncio.to_thread(store_blobs, run, results)
    return await record(run, results, keys)


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


async def deduplicator(run: ChunkRun) -> Deduplicator:
    """The project's index, loaded once per process from the database and kept current.
    Chunks of one project share it; the lock keeps two of them from loading two copies."""
    cache: dict[str, Deduplicator] = run.runtime.state.setdefault(DEDUP_CACHE, {})
    lock: asyncio.Lock = run.runtime.state.setdefault(DEDUP_LOCK, asyncio.Lock())
    async with lock:
        found = cache.get(run.plan.project_id)
        if found is None:
            found = Deduplicator(run.runtime.settings.crawler_phash_threshold)
            async with run.runtime.db.session(write=False) as session:
                images = ImageRepository.from_session(session)
                rows = await images.unique_hashes(run.plan.project_id)
            for image_id, sha256, phash in rows:
                found.add(image_id, sha256, int(phash, 16))
            cache[run.plan.project_id] = found
    return found


def drop_from_index(runtime: Runtime, project_id: str, image_ids: set[str]) -> None:
    """Deleted images stop counting as originals (in this process's index)."""
    found = runtime.state.get(DEDUP_CACHE, {}).get(project_id)
    if found is not None:
        found.remove(image_ids)


async def record(
    run: ChunkRun, results: Sequence[Downloaded | Refused], keys: dict[int, tuple]
) -> Halt | None:
    dedup = await deduplicator(run)
    added: set[str] = set()
    try:
        return await _record(run, results, keys, dedup, added)
    except Exception:
        dedup.remove(added)  # hashes that were never committed
        raise


async def _record(
    run: ChunkRun,
    results: Sequence[Downloaded | Refused],
    keys: dict[int, tuple],
    dedup: Deduplicator,
    added: set[str],
) -> Halt | None:
    halt: Halt | None = None
    unused: list[str] = []
    async with run.runtime.db.session() as session:
        job = await CrawlRepository.from_session(session).job(run.plan.job_id)
        chunk = await CrawlRepository.from_session(session).chunk(run.chunk_id)
        if job is None or chunk is None:
            return Halt.stopped
        credits = await credit_service.available(session, run.runtime, job.team_id)
        room = job.max_images - (job.images_valid - job.images_duplicate)
        # another chunk of this job may have recorded a URL since the batch started
        taken = await ImageRepository.from_session(session).known_urls(
            job.id, [r.ref.url for r in results]
        )
        rows: list[CrawledImage] = []
        accepted = 0
        for position, result in enumerate(results):
            if result.ref.url in taken:
                unused += list(keys.get(position, ())[1:])
                continue
            if isinstance(result, Refused):
                rows.append(rejected_row(run, result))
                continue
            image_id, key, thumb = keys[position]
            duplicate = dedup.check(result.image.sha256, result.image.phash)
            if duplicate is None and (accepted >= room or accepted >= credits):
                halt = Halt.max_images if accepted >= room else Halt.credits
                unused += [key, thumb]
                continue
            if duplicate is None:
                accepted += 1
                dedup.add(image_id, result.image.sha256, result.image.phash)
                added.add(image_id)
            rows.append(valid_row(run, result, image_id, key, thumb, duplicate))
        ImageRepository.from_session(session).add_all(rows)
        count_into(job, chunk, rows, accepted)
        await credit_service.charge(
            session, run.runtime, job.team_id, accepted, job_id=job.id, chunk_id=chunk.id
        )
        if halt is Halt.credits:
            job.status = CrawlStatus.paused
            job.error_code = "INSUFFICIENT_CREDITS"
            job.error_message = "The team ran out of credits; grant more and start the job again."
        elif job.status is not CrawlStatus.running and halt is None:
            halt = Halt.stopped
    for key in unused:
        run.runtime.storage.delete(key)
    return halt


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


async def finish_chunk(runtime: Runtime, chunk_id: str, halt: Halt | None) -> None:
    async with runtime.db.session() as session:
        chunk = await CrawlRepository.from_session(session).chunk(chunk_id)
        if chunk is None:
            return
        if halt in (None, Halt.max_images):
            chunk.status, chunk.finished_at = ChunkStatus.completed, utcnow()
        else:
            chunk.status = ChunkStatus.pending  # resumes where it was: recorded URLs are skipped


async def fail_chunk(runtime: Runtime, job_id: str, chunk_id: str, code: str, message: str) -> None:
    """A failed chunk gives back what it charged and drops its images: a retry redoes it."""
    async with runtime.db.session() as session:
        repository = CrawlRepository.from_session(session)
        chunk, job = await repository.chunk(chunk_id), await repository.job(job_id)
        if chunk is None or job is None:
            return
        images = ImageRepository.from_session(session)
        keys = await images.blob_keys_of_chunk(chunk_id)
        image_ids = await images.ids_of_chunk(chunk_id)
        refunded = await credit_service.refund_chunk(
            session, runtime, job.team_id, job.id, chunk_id
        )
        await images.delete_chunk(chunk_id)
        await recount(session, job)
        job.credits_used -= refunded
        chunk.status, chunk.finished_at = ChunkStatus.failed, utcnow()
        chunk.error_code, chunk.error_message = code[:64], message[:2000]
        chunk.candidates = chunk.accepted = 0

        async def cleanup() -> None:
            drop_from_index(runtime, job.project_id, image_ids)
            for key in keys:
                runtime.storage.delete(key)

        after_commit(session, cleanup)


async def recount(session: AsyncSession, job: CrawlJob) -> None:
    totals = await ImageRepository.from_session(session).job_totals(job.id)
    job.images_downloaded, job.images_valid = totals["downloaded"], totals["valid"]
    job.images_failed, job.images_duplicate = totals["failed"], totals["duplicate"]


async def settle_job(runtime: Runtime, job_id: str) -> None:
    """Completes the job once nothing is left to run, or once it has max_images."""
    async with runtime.db.session() as session:
        repository = CrawlRepository.from_session(session)
        job = await repository.job(job_id)
        if job is None or job.status is not CrawlStatus.running:
            return
        if job.images_valid - job.images_duplicate >= job.max_images:
            await repository.set_chunks(job.id, ChunkStatus.pending, ChunkStatus.completed)
        counts = await repository.chunk_counts(job.id)
        if counts[ChunkStatus.pending] or counts[ChunkStatus.running]:
            return
        failed_all = counts[ChunkStatus.failed] and not counts[ChunkStatus.completed]
        job.status = CrawlStatus.failed if failed_all else CrawlStatus.completed
        job.finished_at = utcnow()
        if failed_all:
            job.error_code, job.error_message = "ALL_CHUNKS_FAILED", "Every chunk failed."
        kind = "job.failed" if failed_all else "job.completed"
        await crawl_service.announce(session, runtime, job, kind)


class CrawlSupervisor:
    """Claims pending chunks of running jobs and runs up to ``crawler_max_running_chunks``
    of them as tasks; also builds pending datasets, one at a time."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.fetcher: Fetcher | None = None
        self._loop: asyncio.Task[None] | None = None
        self._dataset_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.runtime.db.is_sqlite:  # embedded: this process is the only runner
            async with self.runtime.db.session() as session:
                await CrawlRepository.from_session(session).release_running()
        self.fetcher = Fetcher(fetch_policy(self.settings))
        self.runtime.state[SUPERVISOR] = self
        self._loop = asyncio.create_task(self._run(), name="folio-crawls")

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self._step()
            except Exception:
                logger.exception("the crawl supervisor step failed; it runs again later")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.crawler_poll_s):
                    await self._wake.wait()
            self._wake.clear()

    async def _step(self) -> None:
        free = self.settings.crawler_max_running_chunks - len(self.tasks)
        if free > 0:
            async with self.runtime.db.session() as session:
                repository = CrawlRepository.from_session(session)
                claimed = [
                    i
                    for i in await repository.claimable_chunk_ids(free)
                    if await repository.claim(i)
                ]
            for chunk_id in claimed:
                self.tasks[chunk_id] = asyncio.create_task(self._chunk(chunk_id), name=chunk_id)
        if self._dataset_task is None or self._dataset_task.done():
            self._dataset_task = asyncio.create_task(build_next(self.runtime))

    async def _chunk(self, chunk_id: str) -> None:
        try:
            await run_chunk(
                self.runtime, chunk_id, should_stop=self.stopping.is_set, fetcher=self.fetcher
            )
        finally:
            self.tasks.pop(chunk_id, None)
            self.wake()

    async def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        await stop_task(self._loop)
        for task in list(self.tasks.values()):
            await stop_task(task)
        await stop_task(self._dataset_task)
        if self.fetcher is not None:
            await self.fetcher.aclose()
        self.runtime.state.pop(SUPERVISOR, None)
