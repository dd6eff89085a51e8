"""Values read when Prometheus scrapes (gauges): the job queue, the workers, the database
pool. Gathered once per scrape by the API process, from the database and this process."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import Metric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from folio.core.runtime import Runtime
from folio.jobs.service import QueueStats
from folio.jobs.service import job as job_service

logger = logging.getLogger("folio.metrics")


@dataclass(frozen=True)
class PoolStats:
    engine: str  # "write" or "read"
    size: int
    checked_out: int
    overflow: int


@dataclass(frozen=True)
class LiveSnapshot:
    queue: QueueStats | None  # None: the database could not be read
    workers: dict[str, object]
    pools: list[PoolStats] = field(default_factory=list)
    disk: tuple[int, int] | None = None  # the data directory's disk: (free, total) bytes


async def gather(runtime: Runtime) -> LiveSnapshot:
    return LiveSnapshot(
        queue=await _queue(runtime),
        workers=runtime.dispatcher.status(),
        pools=pool_stats(runtime),
        disk=_disk(runtime),
    )


def _disk(runtime: Runtime) -> tuple[int, int] | None:
    try:
        usage = shutil.disk_usage(runtime.settings.data_dir)
    except OSError:
        return None
    return usage.free, usage.total


async def _queue(runtime: Runtime) -> QueueStats | None:
    try:
        async with runtime.db.session(write=False) as session:
            return await job_service.queue_stats(session)
    except Exception as error:  # a scrape still reports the rest, and folio_up says why
        logger.warning("metrics: the job queue could not be read (%s)", type(error).__name__)
        return None


def pool_stats(runtime: Runtime) -> list[PoolStats]:
    engines = {"write": runtime.db.engine, "read": runtime.db.read_engine}
    if engines["read"] is engines["write"]:
        del engines["read"]
    return [stats for name, engine in engines.items() if (stats := _pool(name, engine))]


def _pool(name: str, engine: AsyncEngine) -> PoolStats | None:
    pool = engine.sync_engine.pool
    try:
        return PoolStats(
            engine=name,
            size=int(pool.size()),  # type: ignore[attr-defined]
            checked_out=int(pool.checkedout()),  # type: ignore[attr-defined]
            overflow=max(int(pool.overflow()), 0),  # type: ignore[attr-defined]
        )
    except AttributeError:  # a pool without counters (NullPool, StaticPool)
        return None


class LiveCollector(Collector):
    def __init__(self, snapshot: LiveSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        yield from self._queue()
        yield from self._workers()
        yield from self._pools()
        yield from self._disk()

    def _queue(self) -> Iterator[Metric]:
        queue = self.snapshot.queue
        up = GaugeMetricFamily("folio_database_up", "1 when this scrape could read the database")
        up.add_metric([], 1 if queue is not None else 0)
        yield up
        if queue is None:
            return
        jobs = GaugeMetricFamily(
            "folio_jobs", "Pipeline jobs by status, all teams", labels=["status"]
        )
        jobs.add_metric(["queued"], queue.queued)
        jobs.add_metric(["running"], queue.running)
        yield jobs
        yield GaugeMetricFamily(
            "folio_queue_oldest_age_seconds",
            "How long the oldest queued job has waited (0: none waits)",
            value=queue.oldest_age_s,
        )

    def _workers(self) -> Iterator[Metric]:
        status = self.snapshot.workers
        workers = GaugeMetricFamily(
            "folio_workers",
            "Pipeline worker processes of this API process's pool, by state",
            labels=["executor", "state"],
        )
        executor = str(status.get("executor", "none"))
        for state in ("size", "alive", "busy"):
            value = status.get(state)
            if isinstance(value, int):
                workers.add_metric([executor, state], value)
        if executor == "celery" and self.snapshot.queue is not None:
            # each Celery worker thread runs one job: the running jobs are its busy workers
            workers.add_metric([executor, "busy"], self.snapshot.queue.running)
        yield workers

    def _pools(self) -> Iterator[Metric]:
        connections = GaugeMetricFamily(
            "folio_db_pool_connections",
            "Database connections of this process's pool, by engine and state",
            labels=["engine", "state"],
        )
        for pool in self.snapshot.pools:
            connections.add_metric([pool.engine, "size"], pool.size)
            connections.add_metric([pool.engine, "checked_out"], pool.checked_out)
            connections.add_metric([pool.engine, "overflow"], pool.overflow)
        yield connections

    def _disk(self) -> Iterator[Metric]:
        if self.snapshot.disk is None:
            return
        free, total = self.snapshot.disk
        disk = GaugeMetricFamily(
            "folio_data_dir_disk_bytes",
            "The data directory's file system (SQLite, blobs, caches), by free and total",
            labels=["state"],
        )
        disk.add_metric(["free"], free)
        disk.add_metric(["total"], total)
        yield disk
