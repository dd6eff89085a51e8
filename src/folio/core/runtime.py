"""The process-wide objects a request or a job needs, built once per process by
:func:`build_runtime` (through ``folio.assembly``, which names the event consumers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from folio.config import Settings
from folio.core import crypto
from folio.core.datadir import prepare_data_dir
from folio.core.db import Database
from folio.core.events import Event, EventBus, access_change_publisher, build_event_bus
from folio.core.mail import Mailer, OutboxMailer, SmtpMailer
from folio.core.sandbox import Sandbox
from folio.core.security import KeyRing
from folio.core.storage import BlobStorage, build_blob_storage


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


class EventConsumer(Protocol):
    """Called by the event log inside the unit of work that emits ``events`` (webhook
    deliveries, notifications): what it adds commits or rolls back with the change."""

    async def __call__(
        self, session: AsyncSession, runtime: Runtime, events: Sequence[Event]
    ) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    db: Database
    storage: BlobStorage
    bus: EventBus
    keys: KeyRing
    mailer: Mailer
    event_consumers: tuple[EventConsumer, ...]
    sandbox: Sandbox  # user templates' regular expressions run here, never in this process
    processor: Sandbox  # zero-retention processing runs here, never in this process
    renderer: Sandbox  # report files are drawn here, never on this process's loop or threads
    dispatcher: JobDispatcher = field(default_factory=NoDispatcher)
    state: dict[str, Any] = field(default_factory=dict)  # per-process caches of domains


def build_runtime(settings: Settings, *, event_consumers: Sequence[EventConsumer]) -> Runtime:
    prepare_data_dir(settings.data_dir)
    crypto.install(settings.keyring())  # encrypted columns find their keys here
    database = Database(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
    )
    bus = build_event_bus(settings.redis_url)
    database.on_every_commit(access_change_publisher(bus))
    return Runtime(
        settings=settings,
        db=database,
        storage=build_blob_storage(settings),
        bus=bus,
        keys=build_key_ring(settings),
        mailer=build_mailer(settings),
        event_consumers=tuple(event_consumers),
        sandbox=Sandbox(
            settings.template_workers,
            timeout_s=settings.template_apply_timeout_s,
            memory_limit_mb=settings.worker_memory_limit_mb,
            preload=("folio.pipeline.fields",),
            start_method=settings.worker_start_method,
        ),
        processor=Sandbox(
            settings.process_workers,
            timeout_s=settings.process_time_limit_s,
            memory_limit_mb=settings.worker_memory_limit_mb,
            preload=("folio.pipeline", "folio.pipeline.intelligence"),
            start_method=settings.worker_start_method,
        ),
        renderer=Sandbox(
            1,  # a builder makes one report at a time
            timeout_s=settings.report_render_time_limit_s,
            memory_limit_mb=settings.worker_memory_limit_mb,
            preload=("folio.reports.render",),
            start_method=settings.worker_start_method,
        ),
    )


def build_key_ring(settings: Settings) -> KeyRing:
    if settings.jwt_secret:
        return KeyRing.from_secret(settings.jwt_secret)
    return KeyRing.load_or_create(settings.key_file)


def build_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return OutboxMailer(settings.outbox_dir, settings.mail_from)
