"""``folio worker``: a Celery worker whose threads run pipeline jobs in child processes.

Celery runs its thread pool; each thread keeps one event loop, one runtime and one pipeline
child process (the embedded pool's :class:`WorkerSlot`, so crashes, time limits and memory
recycling behave as in embedded mode, and the heavy work is outside the GIL's reach). A
task carries a job id; the thread claims the job in the database with a lease, renews it
while the pipeline runs, and stops the pipeline as soon as the job is no longer its own
(cancelled, or taken over after its lease lapsed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from typing import Any

from celery import Celery, Task, signals

from folio.assembly import build_runtime
from folio.config import Settings
from folio.core.db import Database, DatabaseUnavailable
from folio.core.runtime import Runtime
from folio.encryption.service import check_keys
from folio.jobs.service import job as job_service
from folio.reports.builder import build_one
from folio.workers.celery_app import ALL_QUEUES, REPORT_TASK, TASK_NAME, make_celery
from folio.workers.dispatch import CeleryDispatcher
from folio.workers.pool import LocalWorkerPool

logger = logging.getLogger("folio.worker")
RETRY_AFTER_S = 2.0


def heartbeat_s(settings: Settings) -> float:
    return max(0.2, min(settings.job_lease_s / 3, 5.0))


class WorkerThread:
    """Everything one Celery pool thread needs, built on its first task."""

    def __init__(self, settings: Settings, celery: Celery, index: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.runtime: Runtime = build_runtime(settings)
        self.dispatcher = CeleryDispatcher(self.runtime, celery)
        self.runtime.dispatcher = self.dispatcher
        name = f"{socket.gethostname()}:{os.getpid()}:{index}"
        self.pool = LocalWorkerPool(self.runtime, size=1, name=name)
        self.slot = self.pool.slots[0]
        if settings.worker_prestart:
            self.slot.ensure_started()

    def run(self, job_id: str) -> str:
        return self.loop.run_until_complete(self._run(job_id))

    def build_report(self) -> bool:
        return self.loop.run_until_complete(build_one(self.runtime))

    def close(self) -> None:
        self.slot.stop(graceful=True)
        self.loop.run_until_complete(self._close())
        self.loop.close()

    async def _close(self) -> None:
        self.runtime.sandbox.close()
        self.runtime.processor.close()
        self.runtime.renderer.close()
        await self.dispatcher.close()
        await self.runtime.bus.stop()
        await self.runtime.db.dispose()

    async def _run(self, job_id: str) -> str:
        settings = self.runtime.settings
        async with self.runtime.db.session() as session:
            job = await job_service.claim(
                session, job_id, worker=self.pool.name, lease_s=settings.job_lease_s
            )
        if job is None:
            return "skipped"  # done, cancelled, or another worker holds it
        await self._feed()  # this team's share in the broker has room for its next job
        lease = asyncio.create_task(self._keep_lease(job_id), name=f"folio-lease-{job_id}")
        try:
            await self.pool.run_claimed(self.slot, job)
        finally:
            lease.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lease
        await self._feed()
        return "done"

    async def _keep_lease(self, job_id: str) -> None:
        settings = self.runtime.settings
        while True:
            await asyncio.sleep(heartbeat_s(settings))
            try:
                async with self.runtime.db.session() as session:
                    mine = await job_service.renew_lease(
                        session, job_id, worker=self.pool.name, lease_s=settings.job_lease_s
                    )
            except DatabaseUnavailable:
                continue  # nobody can take the job over while the database is away
            if not mine:
                logger.info("job %s is no longer ours; stopping it", job_id)
                await self._stop_job(job_id)
                return

    async def _stop_job(self, job_id: str) -> None:
        """Asks until the pipeline child has the job: it may still be starting up."""
        while True:
            self.pool.cancel(job_id)
            await asyncio.sleep(0.2)

    async def _feed(self) -> None:
        try:
            await self.dispatcher.feed()
        except Exception as error:  # the API's feeder loop catches up
            logger.warning("feeding the broker failed (%s)", type(error).__name__)


class WorkerThreads:
    """One :class:`WorkerThread` per Celery pool thread, closed when the worker stops."""

    def __init__(self, settings: Settings, celery: Celery) -> None:
        self.settings, self.celery = settings, celery
        self._local = threading.local()
        self._all: list[WorkerThread] = []
        self._lock = threading.Lock()

    def current(self) -> WorkerThread:
        worker: WorkerThread | None = getattr(self._local, "worker", None)
        if worker is None:
            with self._lock:
                worker = WorkerThread(self.settings, self.celery, len(self._all))
                self._all.append(worker)
            self._local.worker = worker
        return worker

    def close(self) -> None:
        for worker in self._all:
            with contextlib.suppress(Exception):
                worker.close()


def create_worker_app(settings: Settings) -> Celery:
    """The Celery app with the job task and the per-thread set-up attached."""
    celery = make_celery(settings)
    threads = WorkerThreads(settings, celery)

    @celery.task(name=TASK_NAME, bind=True, max_retries=None)
    def run_job(task: Task, job_id: str) -> str:
        try:
            return threads.current().run(job_id)
        except DatabaseUnavailable as error:
            raise task.retry(countdown=RETRY_AFTER_S) from error

    @celery.task(name=REPORT_TASK, bind=True, max_retries=None)
    def build_report(task: Task, report_id: str) -> str:
        try:
            return "built" if threads.current().build_report() else "none waiting"
        except DatabaseUnavailable as error:
            raise task.retry(countdown=RETRY_AFTER_S) from error

    def shutdown(**_: Any) -> None:
        threads.close()

    signals.worker_shutdown.connect(shutdown, weak=False)
    return celery


async def check_encryption_keys(settings: Settings) -> None:
    """As the API's start: a worker without a key the stored values need stops here."""
    database = Database(settings.resolved_database_url, pool_size=1)
    try:
        async with database.session() as session:
            await check_keys(session, settings.keyring())
    finally:
        await database.dispose()


def run_worker(settings: Settings, *, concurrency: int, queues: list[str] | None) -> None:
    asyncio.run(check_encryption_keys(settings))
    celery = create_worker_app(settings)
    celery.worker_main(
        argv=[
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues or ALL_QUEUES)}",
            "--pool=threads",
            f"--hostname=folio-{os.getpid()}@%h",
            f"--loglevel={settings.log_level}",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
    )
