"""The embedded executor: a pool of worker processes fed from the database.

Each slot owns one child process (``worker_process.worker_main``). A child that crashes, hangs
past the time limit, or grows too large is killed and replaced; only its current document is
affected. Results flow back through the pipe and the :class:`JobRunner` records them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from folio.core.background import stop_task
from folio.core.limits import pipeline_limits
from folio.core.processes import start_context
from folio.core.runtime import Runtime
from folio.jobs.models import Job
from folio.jobs.service import job as job_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import Intelligence
from folio.workers.runner import Failure, JobRunner
from folio.workers.worker_process import JobTicket, worker_main

logger = logging.getLogger("folio.pool")
POLL_S = 0.5
STARTUP_TIMEOUT_S = 60
# what a fork server imports for the workers: the pipeline, not worker_process, whose metrics
# hooks would then be in the sandbox processes forked from the same server too
FORKSERVER_PRELOAD = ("folio.pipeline", "folio.pipeline.intelligence")


class WorkerDied(Exception):
    pass


@dataclass
class WorkerSlot:
    index: int
    limits: dict[str, Any]
    memory_limit_mb: int = 0
    start_method: str = "spawn"
    process: BaseProcess | None = None
    connection: Connection | None = None
    jobs_done: int = 0
    job_id: str | None = None
    cancel_requested: bool = False
    rss_mb: float = 0.0
    started: float = field(default_factory=time.monotonic)
    # the pre-start and a job's start run on different threads: the second waits for the
    # first, or both would read the child's pipe at once and garble its messages
    starting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ensure_started(self) -> None:
        with self.starting:
            self._start_unless_alive()

    def _start_unless_alive(self) -> None:
        if self.process is not None and self.process.is_alive():
            return
        self.stop()
        context = start_context(self.start_method, FORKSERVER_PRELOAD)
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=worker_main,
            args=(child_end, self.limits, self.memory_limit_mb),
            name=f"folio-worker-{self.index}",
            daemon=True,
        )
        process.start()
        child_end.close()
        self.process, self.connection, self.jobs_done = process, parent_end, 0
        self._await_ready()

    def _await_ready(self) -> None:
        """Waits for the child's imports, so the job time limit measures processing only."""
        assert self.connection is not None
        with contextlib.suppress(EOFError, OSError):
            if self.connection.poll(STARTUP_TIMEOUT_S):
                self.connection.recv()

    def receive(self, timeout: float) -> tuple[Any, ...] | None:
        """Blocking; runs in the pool's threads. Raises WorkerDied when the child is gone."""
        assert self.connection is not None and self.process is not None
        try:
            while self.connection.poll(timeout):
                message = self.connection.recv()
                if message[0] != "ready":
                    return message
        except (EOFError, OSError) as exc:
            raise WorkerDied(str(self.process.exitcode)) from exc
        if not self.process.is_alive():
            raise WorkerDied(str(self.process.exitcode))
        return None

    def stop(self, *, graceful: bool = False) -> None:
        if self.process is not None:
            if graceful and self.process.is_alive() and self.connection is not None:
                with contextlib.suppress(OSError):
                    self.connection.send(None)
                self.process.join(timeout=2)
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
        if self.connection is not None:
            self.connection.close()
        self.process = self.connection = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()


class _ClaimWithdrawn(Exception):
    pass


class LocalWorkerPool:
    def __init__(self, runtime: Runtime, size: int, *, name: str | None = None) -> None:
        self.runtime = runtime
        self.size = size
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.runner = JobRunner(runtime, worker=self.name)
        limits = pipeline_limits(runtime.settings).model_dump()
        memory = runtime.settings.worker_memory_limit_mb
        method = runtime.settings.worker_start_method
        start_context(method, FORKSERVER_PRELOAD)  # a fork server, once started, has it
        self.slots = [
            WorkerSlot(index=i, limits=limits, memory_limit_mb=memory, start_method=method)
            for i in range(size)
        ]
        self._threads = ThreadPoolExecutor(
            max_workers=max(size, 1) + 1, thread_name_prefix="folio-pool"
        )
        self._wake = asyncio.Event()
        self._free: asyncio.Queue[WorkerSlot | None] = asyncio.Queue()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._dispatcher: asyncio.Task[None] | None = None
        self._paused = False
        self._active = size  # slots that may take jobs (operators lower it with resume())
        self._parked: list[WorkerSlot] = []

    # ---- JobDispatcher interface ----------------------------------------------------------

    def notify(self) -> None:
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        for slot in self.slots:
            if slot.job_id == job_id:
                slot.cancel_requested = True

    def status(self) -> dict[str, object]:
        return {
            "executor": "local",
            "size": self.size,
            "alive": sum(slot.alive for slot in self.slots),
            "busy": sum(slot.job_id is not None for slot in self.slots),
            "paused": self._paused,
            "active": self._active,
        }

    # ---- operator control: claim no new jobs, or again with fewer slots ---------------------

    def pause(self) -> None:
        """Claims no new jobs; jobs already running finish normally."""
        self._paused = True
        self._wake.set()

    def resume(self, active: int | None = None) -> None:
        """Claims jobs again on at most ``active`` slots (default: all of them)."""
        self._active = self.size if active is None else max(1, min(active, self.size))
        self._paused = False
        for slot in self._parked:
            self._free.put_nowait(slot)
        self._parked.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused

    # ---- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await JobRunner(self.runtime).recover_interrupted()
        for slot in self.slots:
            self._free.put_nowait(slot)
        if self.runtime.settings.worker_prestart:
            loop = asyncio.get_running_loop()
            for slot in self.slots:
                loop.run_in_executor(self._threads, slot.ensure_started)
        self._dispatcher = asyncio.create_task(self._dispatch_forever(), name="folio-dispatcher")

    async def stop(self) -> None:
        """Stops between steps: jobs still running stay so in the database and are retried
        at the next start (see ``JobRunner.recover_interrupted``)."""
        self._stopping = True
        self._wake.set()
        self._free.put_nowait(None)
        await stop_task(self._dispatcher)
        for task in list(self._tasks):
            await stop_task(task)
        for slot in self.slots:
            await asyncio.get_running_loop().run_in_executor(
                self._threads, functools.partial(slot.stop, graceful=True)
            )
        self._threads.shutdown(wait=False, cancel_futures=True)

    # ---- dispatching ----------------------------------------------------------------------

    async def _dispatch_forever(self) -> None:
        while not self._stopping:
            slot = await self._free.get()
            if slot is None:
                return
            if self._paused or slot.index >= self._active:
                self._parked.append(slot)  # until resume()
                continue
            job = await self._next_job()
            if job is None:
                if self._stopping:
                    return
                self._parked.append(slot)
                continue
            task = asyncio.create_task(self.run_claimed(slot, job), name=f"folio-job-{job.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _next_job(self) -> Job | None:
        while not self._stopping and not self._paused:
            self._wake.clear()
            try:
                async with self.runtime.db.session() as session:
                    job = await job_service.claim_next(session, worker=self.name)
                    if job is not None and (self._paused or self._stopping):
                        # paused while this claim waited on the database: roll it back, so
                        # a document uploaded after the pause stays queued
                        raise _ClaimWithdrawn
            except _ClaimWithdrawn:
                job = None
            except Exception:
                logger.exception("claiming a job failed; retrying")
                job = None
            if job is not None:
                return job
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.runtime.settings.dispatcher_poll_s):
                    await self._wake.wait()
        return None

    async def run_claimed(self, slot: WorkerSlot, job: Job) -> None:
        """Runs a job this process claimed on ``slot``'s child, and records the outcome.
        Also the body of a Celery task (``folio.workers.celery_worker``)."""
        try:
            ticket = await self.runner.start(job)
            if ticket is not None:
                await self._execute(slot, ticket)
        except Exception:
            logger.exception("job %s could not be run", job.id)
            # the child may still be reporting on this job: its next messages must not be
            # read as the next job's
            await asyncio.get_running_loop().run_in_executor(self._threads, slot.stop)
            await self.runner.fail(
                job.id, Failure("INTERNAL_ERROR", "The job could not run.", True)
            )
        finally:
            slot.job_id, slot.cancel_requested = None, False
            if not self._stopping:
                await self._recycle_if_needed(slot)
                self._free.put_nowait(slot)

    async def _execute(self, slot: WorkerSlot, ticket: JobTicket) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, slot.ensure_started)
        assert slot.connection is not None
        slot.job_id = ticket.job_id
        try:
            slot.connection.send(ticket)
        except OSError:
            await self._on_worker_died(slot, ticket, "before the job started")
            return
        deadline = time.monotonic() + self.runtime.settings.job_time_limit_s
        while True:
            try:
                message = await loop.run_in_executor(self._threads, slot.receive, POLL_S)
            except WorkerDied as died:
                await self._on_worker_died(slot, ticket, str(died))
                return
            if message is not None and await self._handle(slot, ticket, message):
                slot.jobs_done += 1
                return
            if slot.cancel_requested or self._stopping:
                await loop.run_in_executor(self._threads, slot.stop)
                return
            if time.monotonic() > deadline:
                slot.stop()
                await self.runner.fail(ticket.job_id, self._timeout_failure())
                return

    def _timeout_failure(self) -> Failure:
        limit = self.runtime.settings.job_time_limit_s
        return Failure("PROCESSING_TIMEOUT", f"Processing took longer than {limit:g} s.", True)

    async def _handle(self, slot: WorkerSlot, ticket: JobTicket, message: tuple[Any, ...]) -> bool:
        """Applies one report; True when the job is finished."""
        kind = message[0]
        if kind == "stage":
            await self.runner.stage(ticket.job_id, message[1])
        elif kind == "pages":
            await self.runner.pages(ticket.job_id, message[1], message[2])
        elif kind == "result":
            slot.rss_mb = message[3]
            result = DocumentResult.model_validate(message[1])
            intelligence = Intelligence.model_validate(message[2]) if message[2] else None
            await self.runner.succeed(ticket.job_id, result, intelligence)
            return True
        elif kind == "error":
            slot.rss_mb = message[4]  # infinite after RESOURCE_LIMIT: the slot restarts
            await self.runner.fail(ticket.job_id, Failure(message[1], message[2], message[3]))
            return True
        return False

    async def _on_worker_died(self, slot: WorkerSlot, ticket: JobTicket, exitcode: str) -> None:
        slot.stop()
        if slot.cancel_requested:
            return
        logger.warning(
            "worker %s died (exit code %s) on %s", slot.index, exitcode, ticket.document_id
        )
        requeued = await self.runner.interrupted(
            ticket.job_id,
            Failure("WORKER_CRASHED", "The worker processing this document crashed.", False),
        )
        if requeued:
            self.notify()

    async def _recycle_if_needed(self, slot: WorkerSlot) -> None:
        settings = self.runtime.settings
        if slot.jobs_done >= settings.worker_max_jobs or slot.rss_mb > settings.worker_max_rss_mb:
            stop_gracefully = functools.partial(slot.stop, graceful=True)
            await asyncio.get_running_loop().run_in_executor(self._threads, stop_gracefully)
