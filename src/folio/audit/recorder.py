"""Audit entries and usage counts are kept in memory for a moment and written in batches by
one background task, so a request never waits for an audit write. The task flushes every
``audit_flush_interval_s``, sooner when ``audit_batch_size`` entries wait, and once more when
the app shuts down, before the database closes: nothing is lost on a normal shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from folio.analytics.histograms import HistogramBuffer
from folio.audit.repository import AuditRepository
from folio.config import Settings
from folio.core.db import Database
from folio.usage.meter import UsageMeter
from folio.usage.repository import UsageRepository

logger = logging.getLogger("folio.audit")
MAX_BUFFERED = 100_000  # if the database stays unreachable, keep at most this many entries
PRUNE_EVERY_S = 24 * 3600
STOP_TIMEOUT_S = 60.0

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


class ActivityRecorder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.usage = UsageMeter(settings)
        self.latency = HistogramBuffer()  # per-team route latency for the analytics API
        self.db: Database | None = None
        self._entries: list[dict[str, Any]] = []
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_prune = 0.0

    # ---- buffering -------------------------------------------------------------------------

    def add(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)
        if len(self._entries) > MAX_BUFFERED:
            dropped = len(self._entries) - MAX_BUFFERED
            del self._entries[:dropped]
            logger.error("audit buffer full: %d oldest entries dropped", dropped)
        if len(self._entries) >= self.settings.audit_batch_size:
            self._wake.set()

    @property
    def buffered(self) -> int:
        return len(self._entries)

    async def flush(self) -> None:
        """Writes what is buffered now (readers call this first to see their own writes).

        The entries are earlier requests' records: a reader's request that flushes them does
        not own them, so they commit on their own, whatever becomes of that request."""
        async with self._lock:
            if self.db is not None and self._entries:
                batch, self._entries = self._entries, []
                try:
                    async with self.db.independent() as session:
                        await AuditRepository.from_session(session).add_many(batch)
                except BaseException:
                    self._entries[:0] = batch
                    raise
        await self.usage.flush()
        if self.db is not None:
            await self.latency.flush(self.db)

    # ---- lifecycle -------------------------------------------------------------------------

    def wrap_lifespan(self, lifespan: Lifespan) -> Lifespan:
        """Runs the flusher inside the app's lifespan, once its database exists, and stops it
        (with a last flush) before that lifespan closes the database."""

        @asynccontextmanager
        async def wrapped(app: Any) -> AsyncIterator[Any]:
            async with lifespan(app) as state:
                await self.start(app.state.runtime.db)
                try:
                    yield state
                finally:
                    await self.stop()

        return wrapped

    async def start(self, db: Database) -> None:
        self.db = db
        self.usage.db = db
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="folio-activity-flusher")

    async def stop(self) -> None:
        """Lets the flusher finish its current batch (no cancel inside a database call), then
        writes whatever is left."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_S)
            except TimeoutError:
                logger.error("audit flusher did not stop in %s s; cancelling it", STOP_TIMEOUT_S)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.audit_flush_interval_s)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.flush()
                await self._prune_if_due()
            except Exception:
                logger.exception("audit/usage flush failed; retrying")

    async def _prune_if_due(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        if self.db is None or (self._last_prune and loop_time - self._last_prune < PRUNE_EVERY_S):
            return
        self._last_prune = loop_time
        now = datetime.now(UTC)
        async with self.db.session() as session:
            if self.settings.audit_retention_days > 0:
                cutoff = now - timedelta(days=self.settings.audit_retention_days)
                await AuditRepository.from_session(session).prune_before(cutoff)
            day = (now - timedelta(days=self.settings.usage_retention_days)).date()
            await UsageRepository.from_session(session).prune_before(day)
