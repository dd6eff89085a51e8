"""Chooses how this API process gets jobs run: its own pool, or Celery workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from folio.config import Settings
from folio.core.runtime import Runtime
from folio.workers.celery_app import make_celery, report_sender
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


def report_sender_for(settings: Settings) -> Callable[[str], None] | None:
    """With Celery, reports are built by the workers: this hands them a waiting report."""
    return report_sender(make_celery(settings)) if settings.executor == "celery" else None
