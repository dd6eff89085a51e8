"""Chooses how this API process gets jobs run: its own pool, or Celery workers."""

from __future__ import annotations

from typing import Protocol

from folio.core.runtime import Runtime
from folio.workers.celery_app import make_celery
from folio.workers.dispatch import CeleryDispatcher
from folio.workers.pool import LocalWorkerPool


class Executor(Protocol):
    def notify(self) -> None: ...

    def cancel(self, job_id: str) -> None: ...

    def status(self) -> dict[str, object]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_executor(runtime: Runtime) -> Executor | None:
    """``FOLIO_EXECUTOR=local`` (default): a pool of ``FOLIO_WORKERS`` processes, or none.
    ``celery``: no pipeline work here; jobs are handed to ``folio worker`` processes."""
    settings = runtime.settings
    if settings.executor == "celery":
        return CeleryDispatcher(runtime, make_celery(settings))
    return LocalWorkerPool(runtime, settings.workers) if settings.workers > 0 else None
