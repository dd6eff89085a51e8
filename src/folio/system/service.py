"""Health: is each part of this Folio able to do its job right now?"""

from __future__ import annotations

import time

import anyio
from sqlalchemy import text

from folio import __version__
from folio.core.runtime import Runtime
from folio.pipeline import engines_available
from folio.system.schemas import Check, Health


class SystemService:
    async def health(self, runtime: Runtime) -> Health:
        database = await self._check_database(runtime)
        storage = await self._check_storage(runtime)
        workers = runtime.dispatcher.status()
        engines = await anyio.to_thread.run_sync(engines_available)
        failing = database.status != "ok" or storage.status != "ok"
        no_workers = workers.get("executor") == "local" and not workers.get("size")
        status = "failing" if failing else ("degraded" if no_workers else "ok")
        return Health(
            status=status,
            version=__version__,
            database=database,
            storage=storage,
            workers=workers,
            ocr_engines=engines,
        )

    async def _check_database(self, runtime: Runtime) -> Check:
        started = time.perf_counter()
        try:
            async with runtime.db.session(write=False) as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return Check(status="error", detail=type(exc).__name__)
        return Check(status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))

    async def _check_storage(self, runtime: Runtime) -> Check:
        started = time.perf_counter()
        try:
            await anyio.to_thread.run_sync(runtime.storage.check_writable)
        except OSError as exc:
            return Check(status="error", detail=type(exc).__name__)
        return Check(status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))


system = SystemService()
