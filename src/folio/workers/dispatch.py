"""The API side of the Celery executor: hands queued jobs to the broker, fairly.

The database holds the intent (a queued job); the broker holds at most ``job_fair_share``
messages per team and priority. When a worker claims one, the team's next job is handed
over. So a team's 1,000-file batch puts a few messages ahead of another team's upload,
never a thousand. A job whose message the broker lost (Redis restarted empty) is handed
over again: the broker's epoch key vanishes with its data, and its absence says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence

import anyio
import redis.asyncio as redis
from celery import Celery
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.runtime import Runtime
from folio.jobs.repository import JobRepository
from folio.workers.celery_app import ALL_QUEUES, TASK_NAME, queue_for
from folio.workers.runner import JobRunner

logger = logging.getLogger("folio.dispatch")
EPOCH_KEY = "folio:broker-epoch"
FEED_LOCK = 0x0F0110  # PostgreSQL advisory lock: one feeder at a time across processes


class CeleryDispatcher:
    """``JobDispatcher`` for ``FOLIO_EXECUTOR=celery``. In an API process ``start()`` runs
    the loop that feeds the broker and recovers jobs of dead workers; a worker calls
    :meth:`feed` itself after each claim."""

    def __init__(self, runtime: Runtime, celery: Celery) -> None:
        self.runtime = runtime
        self.celery = celery
        self.share = runtime.settings.job_fair_share
        broker = runtime.settings.broker_url or ""
        self._epoch_client = redis.Redis.from_url(broker) if broker.startswith("redis") else None
        self._feeding = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    # ---- JobDispatcher interface ----------------------------------------------------------

    def notify(self) -> None:
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Nothing to send: the worker's next lease renewal finds the job cancelled."""

    def status(self) -> dict[str, object]:
        return {"executor": "celery", "queues": ALL_QUEUES, "fair_share": self.share}

    # ---- API process loop -------------------------------------------------------------------

    async def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run_forever(), name="folio-celery-feeder")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        await stop_task(self._loop_task)
        await self.close()

    async def close(self) -> None:
        if self._epoch_client is not None:
            await self._epoch_client.aclose()

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await JobRunner(self.runtime).recover_lapsed()
                await self.feed()
            except Exception as error:
                logger.warning("feeding the broker failed (%s); retrying", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.runtime.settings.dispatcher_poll_s):
                    await self._wake.wait()

    # ---- feeding ----------------------------------------------------------------------------

    async def feed(self) -> int:
        """Hands each team's oldest queued jobs to the broker, up to its share. The jobs are
        marked inside the transaction and published before it commits: a failed publish
        rolls the marks back, a failed commit leaves a duplicate message that finds the job
        claimed (or not queued) and is dropped."""
        async with self._feeding:
            await self._forget_lost_dispatches()
            async with self.runtime.db.session() as session:
                await self._one_feeder_at_a_time(session)
                batch = await self._next_batch(JobRepository.from_session(session))
                if batch:
                    await JobRepository.from_session(session).mark_dispatched(
                        [job_id for job_id, _ in batch], utcnow()
                    )
                    await anyio.to_thread.run_sync(self._publish, batch)
            return len(batch)

    async def _next_batch(self, repository: JobRepository) -> list[tuple[str, int]]:
        in_broker = await repository.in_broker_counts()
        batch: list[tuple[str, int]] = []
        for team_id, priority in await repository.undispatched_groups():
            room = self.share - in_broker.get((team_id, priority), 0)
            if room > 0:
                ids = await repository.oldest_undispatched(team_id, priority, room)
                batch.extend((job_id, priority) for job_id in ids)
        return sorted(batch)  # job ids sort by creation: oldest first across teams

    def _publish(self, batch: Sequence[tuple[str, int]]) -> None:
        with self.celery.producer_or_acquire() as producer:
            for job_id, priority in batch:
                self.celery.send_task(
                    TASK_NAME, args=[job_id], queue=queue_for(priority), producer=producer
                )

    async def _one_feeder_at_a_time(self, session: AsyncSession) -> None:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})

    async def _forget_lost_dispatches(self) -> None:
        """If the broker's epoch key is gone, so are its queues: hand every queued job over
        again. Duplicates are harmless (the claim decides), losses are not."""
        if self._epoch_client is None:
            return
        try:
            fresh = await self._epoch_client.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
        except (RedisError, OSError):
            return  # the publish will fail too and roll back; retried on the next round
        if fresh:
            async with self.runtime.db.session() as session:
                await self._one_feeder_at_a_time(session)
                lost = await JobRepository.from_session(session).forget_dispatches()
            if lost:
                logger.warning("the broker lost %s queued jobs; handing them over again", lost)
