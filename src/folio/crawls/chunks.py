"""Crawl execution. :func:`run_chunk` is the entry point (ids in, like a Celery task): it
streams a chunk's candidates, downloads and validates them in batches, and has
:mod:`folio.crawls.recording` keep them. The database holds all state between batches, so a
stopped or crashed chunk simply runs again and skips the URLs it already recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.runtime import Runtime
from folio.crawls.engines import (
    ChunkFailed,
    ChunkRun,
    Halt,
    candidates,
    fetch_policy,
    plan_of,
)
from folio.crawls.models import MAX_JOB_ERRORS, ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus
from folio.crawls.recording import delete_blobs, record, store_blobs
from folio.crawls.repository import CrawlRepository
from folio.crawls.service import crawl as crawl_service
from folio.credits.service import credit as credit_service
from folio.images.dedup import drop_from_index
from folio.images.repository import ImageRepository
from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.fetcher import Fetcher, FetchError
from folio.webcrawl.robots import RobotsCache
from folio.webcrawl.search import SearchError
from folio.webcrawl.web import download

logger = logging.getLogger("folio.crawls")


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
    if chunk is None or job is None or not chunk.is_held_by(owner):
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


async def finish_chunk(runtime: Runtime, chunk_id: str, owner: str, halt: Halt | None) -> None:
    async with runtime.db.session() as session:
        chunk = await CrawlRepository.from_session(session).chunk(chunk_id, lock=True)
        if chunk is None or not chunk.is_held_by(owner):
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
        if chunk is None or job is None or not chunk.is_held_by(owner):
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
        note_error(job, chunk)
        chunk.candidates = chunk.accepted = 0
        chunk.lease_expires_at = None  # the owner stays: who ran it last

        async def cleanup() -> None:
            drop_from_index(runtime, job.project_id, image_ids)
            delete_blobs(runtime, keys)

        after_commit(session, cleanup)


def note_error(job: CrawlJob, chunk: CrawlChunk) -> None:
    """Lists the failed chunk on its job (a web chunk by its seed); a JSON column is only
    saved when it is assigned, hence the new list."""
    entry = {
        "url": chunk.spec.get("seed"),
        "engine": chunk.engine,
        "chunk_id": chunk.id,
        "code": chunk.error_code,
        "message": chunk.error_message,
    }
    kept = [e for e in job.errors or [] if e.get("chunk_id") != chunk.id]
    job.errors = [*kept, entry][-MAX_JOB_ERRORS:]


def job_failure(job: CrawlJob) -> tuple[str, str]:
    """The error of a job none of whose chunks completed: the code its failed chunks share
    (``SEED_REFUSED``, ``SEED_UNREACHABLE`` …) and what the first one says."""
    errors = job.errors or []
    codes = {e["code"] for e in errors}
    if not errors:
        return "ALL_CHUNKS_FAILED", "Every chunk failed."
    first = errors[0]
    what = f"the seed {first['url']}" if first.get("url") else f"a {first['engine']} chunk"
    more = f"; {len(errors) - 1} more in errors" if len(errors) > 1 else ""
    code = codes.pop() if len(codes) == 1 else "ALL_CHUNKS_FAILED"
    return code, f"Nothing could be crawled: {what} failed ({first['message']}){more}."


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
            job.error_code, job.error_message = job_failure(job)
        kind = "job.failed" if failed_all else "job.completed"
        await crawl_service.announce(session, runtime, job, kind)
