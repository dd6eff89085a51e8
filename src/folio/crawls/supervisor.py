"""Runs crawl chunks as asyncio tasks inside a server process, under leases."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta

from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.leases import holder_name
from folio.core.runtime import Runtime
from folio.crawls.chunks import run_chunk
from folio.crawls.engines import fetch_policy
from folio.crawls.repository import CrawlRepository
from folio.crawls.service import SUPERVISOR
from folio.webcrawl.fetcher import Fetcher

logger = logging.getLogger("folio.crawls")
SideWork = Callable[[Runtime], Coroutine[object, None, object]]


LIVE_SUPERVISORS: set[str] = set()


class CrawlSupervisor:
    """Claims chunks of running jobs and runs up to ``crawler_max_running_chunks`` of them
    as tasks; also runs ``side_work`` (the dataset builder, given by the app) one at a time.

    Several processes may run one each against the same database: a chunk is claimed with
    a compare-and-set that gives it a lease (``crawler_chunk_lease_s``), renewed while it
    runs. A process that dies leaves leases that lapse; another process then claims those
    chunks again (at once, on SQLite, when the dead process ran on this machine)."""

    def __init__(self, runtime: Runtime, side_work: SideWork | None = None) -> None:
        self.runtime = runtime
        self.side_work = side_work
        self.settings = runtime.settings
        self.name = holder_name()
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.lost: set[str] = set()  # chunks whose lease another process took over
        self.fetcher: Fetcher | None = None
        self._loop: asyncio.Task[None] | None = None
        self._side_task: asyncio.Task[object] | None = None
        self._renewed = time.monotonic()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.crawler_chunk_lease_s)

    async def start(self) -> None:
        LIVE_SUPERVISORS.add(self.name)
        async with self.runtime.db.session() as session:
            repository = CrawlRepository.from_session(session)
            await repository.release_gone(LIVE_SUPERVISORS, any_pid=self.runtime.db.is_sqlite)
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
                claimed = await repository.claim(self.name, utcnow(), self.lease, limit=free)
            for chunk_id in claimed:
                self.tasks[chunk_id] = asyncio.create_task(self._chunk(chunk_id), name=chunk_id)
        if self.side_work is not None and (self._side_task is None or self._side_task.done()):
            self._side_task = asyncio.create_task(self.side_work(self.runtime))

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
        await stop_task(self._side_task)
        LIVE_SUPERVISORS.discard(self.name)
        try:
            async with self.runtime.db.session() as session:
                await CrawlRepository.from_session(session).release({self.name})
        except Exception:  # the database is gone: the leases lapse instead
            logger.warning("could not release the crawl chunks of %s", self.name)
        if self.fetcher is not None:
            await self.fetcher.aclose()
        self.runtime.state.pop(SUPERVISOR, None)
