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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import stop_task
from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.leases import gone_holders, holder_name, this_host
from folio.core.runtime import Runtime
from folio.crawler.dedup import Deduplicator, Match
from folio.crawler.discovery import ImageRef
from folio.crawler.fetcher import Fetcher, FetchError
from folio.crawler.images import CleanImage, ImageFilters
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
from folio.projects.models import Project
from folio.projects.repository import ProjectRepository

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
    owner: str  # the supervisor holding the chunk's lease
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
    owner: str,
    should_stop: Callable[[], bool] = lambda: False,
    fetcher: Fetcher | None = None,
) -> None:
    """Runs one chunk ``owner`` claimed to its end, a failure or a halt. Every write checks
    the lease first: a chunk another process took over (this one stalled past its lease)
    is left to that process."""
    async with runtime.db.session(write=False) as session:
        repository = CrawlRepository.from_session(session)
        chunk = await repository.chunk(chunk_id)
        job = await repository.job(chunk.job_id) if chunk is not None else None
    if chunk is None or job is None or not holds_lease(chunk, owner):
        return
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(fetch_policy(runtime.settings))
    robots = RobotsCache(fetcher)
    run = ChunkRun(runtime, plan_of(job), chunk_id, owner, fetcher, robots, should_stop)
    try:
        halt = await harvest(run, chunk.engine, chunk.spec)
    except (ChunkFailed, FetchError, SearchError) as error:
        code = getattr(error, "code", None) or type(error).__name__.upper()
        await fail_chunk(runtime, job.id, chunk_id, owner, code, str(error))
    except Exception as error:
        logger.exception("crawl chunk %s failed", chunk_id)
        await fail_chunk(runtime, job.id, chunk_id, owner, "INTERNAL_ERROR", type(error).__name__)
    else:
        await finish_chunk(runtime, chunk_id, owner, halt)
    finally:
        if own_fetcher:
            await fetcher.aclose()
    await settle_job(runtime, job.id)


def holds_lease(chunk: CrawlChunk, owner: str) -> bool:
    return chunk.status is ChunkStatus.running and chunk.lease_owner == owner


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
    if run.should_stop():  # the stream ended because of the stop, not because it ran out
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


@dataclass
class ProjectIndex:
    """A project's de-duplication index in this process and the project's ``dedup_seq`` it
    has caught up with. The database is the truth: each recording transaction locks the
    project row, adds the unique images other processes committed since (``dedup_seq``
    above ``seq``), and checks a match still exists before calling an image its duplicate."""

    dedup: Deduplicator
    seq: int

    def add_rows(self, rows: Sequence[tuple[str, str, str]]) -> None:
        for image_id, sha256, phash in rows:
            if image_id not in self.dedup:
                self.dedup.add(image_id, sha256, int(phash, 16))


async def project_index(run: ChunkRun) -> ProjectIndex:
    """The project's index, loaded once per process from the database (every unique image
    of the project) and kept current. The lock keeps two chunks from loading two copies."""
    cache: dict[str, ProjectIndex] = run.runtime.state.setdefault(DEDUP_CACHE, {})
    lock: asyncio.Lock = run.runtime.state.setdefault(DEDUP_LOCK, asyncio.Lock())
    async with lock:
        found = cache.get(run.plan.project_id)
        if found is None:
            async with run.runtime.db.session(write=False) as session:
                project = await session.get(Project, run.plan.project_id)
                seq = project.dedup_seq if project is not None else 0  # read before the rows
                rows = await ImageRepository.from_session(session).unique_hashes(
                    run.plan.project_id
                )
            found = ProjectIndex(Deduplicator(run.runtime.settings.crawler_phash_threshold), seq)
            found.add_rows(rows)
            cache[run.plan.project_id] = found
    return found


def drop_from_index(runtime: Runtime, project_id: str, image_ids: set[str]) -> None:
    """Deleted images stop counting as originals (at once in this process; other processes
    find them gone when they next match them)."""
    found = runtime.state.get(DEDUP_CACHE, {}).get(project_id)
    if found is not None:
        found.dedup.remove(image_ids)


async def catch_up(session: AsyncSession, index: ProjectIndex, project: Project) -> None:
    """Adds what other processes committed since this index last saw the project."""
    if project.dedup_seq > index.seq:
        images = ImageRepository.from_session(session)
        index.add_rows(await images.originals_since(project.id, index.seq))
        index.seq = project.dedup_seq


async def find_duplicate(
    session: AsyncSession, dedup: Deduplicator, image: CleanImage, fresh: set[str]
) -> tuple[str, Match] | None:
    """The image's original, checked against the database unless it is in this batch
    (``fresh``): one deleted elsewhere, or never committed, leaves the index and the
    search goes on."""
    images = ImageRepository.from_session(session)
    while (found := dedup.check(image.sha256, image.phash)) is not None:
        original = found[1].image_id
        if original in fresh or await images.exists(original):
            return found
        dedup.remove({original})
    return None


async def record(
    run: ChunkRun, results: Sequence[Downloaded | Refused], keys: dict[int, tuple]
) -> Halt | None:
    index = await project_index(run)
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
        if project is None or job is None or chunk is None or not holds_lease(chunk, run.owner):
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


async def finish_chunk(runtime: Runtime, chunk_id: str, owner: str, halt: Halt | None) -> None:
    async with runtime.db.session() as session:
        chunk = await CrawlRepository.from_session(session).chunk(chunk_id, lock=True)
        if chunk is None or not holds_lease(chunk, owner):
            return
        if halt in (None, Halt.max_images):
            chunk.status, chunk.finished_at = ChunkStatus.completed, utcnow()
        else:
            chunk.status = ChunkStatus.pending  # resumes where it was: recorded URLs are skipped
        chunk.lease_expires_at = None  # the owner stays: who ran it last


async def fail_chunk(
    runtime: Runtime, job_id: str, chunk_id: str, owner: str, code: str, message: str
) -> None:
    """A failed chunk gives back what it charged and drops its images: a retry redoes it."""
    async with runtime.db.session() as session:
        repository = CrawlRepository.from_session(session)
        job = await repository.job(job_id, lock=True)
        chunk = await repository.chunk(chunk_id, lock=True)
        if chunk is None or job is None or not holds_lease(chunk, owner):
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
        chunk.lease_expires_at = None  # the owner stays: who ran it last

        async def cleanup() -> None:
            drop_from_index(runtime, job.project_id, image_ids)
            delete_blobs(runtime, keys)

        after_commit(session, cleanup)


async def recount(session: AsyncSession, job: CrawlJob) -> None:
    totals = await ImageRepository.from_session(session).job_totals(job.id)
    job.images_downloaded, job.images_valid = totals["downloaded"], totals["valid"]
    job.images_failed, job.images_duplicate = totals["failed"], totals["duplicate"]


async def settle_job(runtime: Runtime, job_id: str) -> None:
    """Completes the job once nothing is left to run, or once it has max_images."""
    async with runtime.db.session() as session:
        repository = CrawlRepository.from_session(session)
        job = await repository.job(job_id, lock=True)  # two processes: one completes it
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


LIVE_SUPERVISORS: set[str] = set()


class CrawlSupervisor:
    """Claims chunks of running jobs and runs up to ``crawler_max_running_chunks`` of them
    as tasks; also builds pending datasets, one at a time.

    Several processes may run one each against the same database: a chunk is claimed with
    a compare-and-set that gives it a lease (``crawler_chunk_lease_s``), renewed while it
    runs. A process that dies leaves leases that lapse; another process then claims those
    chunks again (at once, on SQLite, when the dead process ran on this machine)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.name = holder_name()
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.lost: set[str] = set()  # chunks whose lease another process took over
        self.fetcher: Fetcher | None = None
        self._loop: asyncio.Task[None] | None = None
        self._dataset_task: asyncio.Task[str | None] | None = None
        self._renewed = time.monotonic()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.crawler_chunk_lease_s)

    async def start(self) -> None:
        LIVE_SUPERVISORS.add(self.name)
        async with self.runtime.db.session() as session:
            repository = CrawlRepository.from_session(session)
            owners = await repository.running_owners(this_host() + ":")
            any_pid = self.runtime.db.is_sqlite
            await repository.release(gone_holders(owners, LIVE_SUPERVISORS, any_pid=any_pid))
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
        if time.monotonic() - self._renewed >= self.settings.crawler_chunk_lease_s / 3:
            await self._renew()
        free = self.settings.crawler_max_running_chunks - len(self.tasks)
        if free > 0:
            async with self.runtime.db.session() as session:
                repository = CrawlRepository.from_session(session)
                now = utcnow()
                claimed = [
                    i
                    for i in await repository.claimable_chunk_ids(free, now)
                    if await repository.claim(i, self.name, now, now + self.lease)
                ]
            for chunk_id in claimed:
                self.tasks[chunk_id] = asyncio.create_task(self._chunk(chunk_id), name=chunk_id)
        if self._dataset_task is None or self._dataset_task.done():
            self._dataset_task = asyncio.create_task(build_next(self.runtime))

    async def _renew(self) -> None:
        """Extends the leases of the chunks running here; a chunk that is no longer ours
        (this process stalled past its lease and another took it) stops at its next batch."""
        self._renewed = time.monotonic()
        running = set(self.tasks)
        async with self.runtime.db.session() as session:
            repository = CrawlRepository.from_session(session)
            mine = await repository.renew(running, self.name, utcnow() + self.lease)
            await repository.release_lapsed_of_idle_jobs(utcnow())
        self.lost |= running - mine

    async def _chunk(self, chunk_id: str) -> None:
        try:
            await run_chunk(
                self.runtime,
                chunk_id,
                owner=self.name,
                should_stop=lambda: self.stopping.is_set() or chunk_id in self.lost,
                fetcher=self.fetcher,
            )
        finally:
            self.tasks.pop(chunk_id, None)
            self.lost.discard(chunk_id)
            self.wake()

    async def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        await stop_task(self._loop)
        for task in list(self.tasks.values()):
            await stop_task(task)
        await stop_task(self._dataset_task)
        LIVE_SUPERVISORS.discard(self.name)
        try:
            async with self.runtime.db.session() as session:
                await CrawlRepository.from_session(session).release({self.name})
        except Exception:  # the database is gone: the leases lapse instead
            logger.warning("could not release the crawl chunks of %s", self.name)
        if self.fetcher is not None:
            await self.fetcher.aclose()
        self.runtime.state.pop(SUPERVISOR, None)
