"""The process-wide objects a request or a job needs, built once by ``app.py`` or the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from folio.config import Settings
from folio.core.db import Database
from folio.core.events import EventBus
from folio.core.mail import Mailer
from folio.core.security import KeyRing
from folio.core.storage import BlobStorage


class JobDispatcher(Protocol):
    def notify(self) -> None:
        """New jobs were committed."""

    def cancel(self, job_id: str) -> None:
        """Stop ``job_id`` if it is running here."""

    def status(self) -> dict[str, object]: ...


class NoDispatcher:
    """Used when this process runs no workers (jobs wait for a process that does)."""

    def notify(self) -> None:
        return None

    def cancel(self, job_id: str) -> None:
        return None

    def status(self) -> dict[str, object]:
        return {"executor": "none", "size": 0, "alive": 0, "busy": 0}


@dataclass
class Runtime:
    settings: Settings
    db: Database
    storage: BlobStorage
    bus: EventBus
    keys: KeyRing
    mailer: Mailer
    dispatcher: JobDispatcher = field(default_factory=NoDispatcher)
    state: dict[str, Any] = field(default_factory=dict)  # per-process caches of domains
