"""Runs accepted erasure requests in the background, in every API process, one at a time
per process, under a lease.

A request is claimed with a compare-and-set that gives it a lease; each batch renews the
lease in the unit of work that writes the batch, so a runner that lost its lease writes
nothing. A runner that stops gives its request back at once; one that died leaves a lease
that lapses, and another runner carries on from the last document recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.leases import holder_name
from folio.core.runtime import Runtime
from folio.erasure.repository import QUEUE, ErasureRepository
from folio.erasure.service import RUNNER
from folio.erasure.service import erasure as erasure_service

logger = logging.getLogger("folio.erasure")
POLL_S = 30.0  # besides the wake-up a new request gives: requests of a runner that died
LEASE = timedelta(minutes=2)  # renewed by every batch (a batch takes seconds)
MAX_ATTEMPTS = 3


class ErasureRunner:
    def __init__(self, runtime: Runtime, *, name: str | None = None) -> None:
        self.runtime = runtime
        self.name = name or holder_name()
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.runtime.state[RUNNER] = self
        self._task = asyncio.create_task(self._run(), name="folio-erasure")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        await stop_task(self._task)
        if self.runtime.state.get(RUNNER) is self:
            self.runtime.state.pop(RUNNER)
        async with self.runtime.db.session() as session:
            await QUEUE.release(session, [self.name])  # another runner carries on at once

    async def _run(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            try:
                while not self.stopping.is_set() and await self.run_next():
                    pass
            except Exception:
                logger.exception("the erasure runner step failed; it runs again later")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_S):
                    await self._wake.wait()

    async def run_next(self) -> bool:
        """Claims one request and works it to the end (or until this runner stops or loses
        the lease); False when none waits."""
        async with self.runtime.db.session() as session:
            request_id = await ErasureRepository.from_session(session).claim(
                self.name, utcnow(), LEASE
            )
        if request_id is None:
            return False
        while not self.stopping.is_set():
            try:
                if await self._batch(request_id):
                    break
            except Exception as error:
                logger.exception("erasure request %s failed", request_id)
                await self._fail(request_id, f"{type(error).__name__}: {error}")
                break
        return True

    async def _batch(self, request_id: str) -> bool:
        """True when the request is done here: finished, or taken over by another runner."""
        async with self.runtime.db.session() as session:
            repository = ErasureRepository.from_session(session)
            request = await repository.renew(request_id, self.name, utcnow() + LEASE)
            if request is None:
                return True
            return await erasure_service.run_batch(session, self.runtime, request)

    async def _fail(self, request_id: str, error: str) -> None:
        async with self.runtime.db.session() as session:
            repository = ErasureRepository.from_session(session)
            request = await repository.renew(request_id, self.name, utcnow() + LEASE)
            if request is not None:
                erasure_service.fail(request, error, MAX_ATTEMPTS)
