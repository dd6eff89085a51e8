"""Health, status announcements, maintenance notices, broadcasts and the JWT signing key."""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta

import anyio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from folio import __version__
from folio.config import Settings
from folio.core.errors import Conflict, FieldError, ValidationFailed
from folio.core.events import Event
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.security import KeyRotationUnavailable
from folio.events.catalog import SYSTEM_TEAM_ID
from folio.events.service import event as event_service
from folio.pipeline import engines_available
from folio.system import probes
from folio.system.schemas import (
    BroadcastCreate,
    Check,
    Component,
    Health,
    Liveness,
    MaintenanceCreate,
    MaintenanceRead,
    Readiness,
    SigningKeyRead,
    SigningKeys,
    SystemStatus,
)

logger = logging.getLogger("folio.system")


def retired_key_lifetime(settings: Settings) -> timedelta:
    """A retired key must verify the last access token it signed (plus a minute of skew)."""
    return timedelta(seconds=settings.access_token_ttl_s + 60)


def system_event(type_: str, **data: object) -> Event:
    return Event(type=type_, team_id=SYSTEM_TEAM_ID, data=data)


def maintenance_read(announcement: Event | None) -> MaintenanceRead:
    if announcement is None:
        return MaintenanceRead(active=False)
    data = announcement.data
    return MaintenanceRead(
        active=bool(data.get("active")),
        message=data.get("message"),
        starts_at=data.get("starts_at"),
        ends_at=data.get("ends_at"),
        announced_at=announcement.created_at,
        event_id=announcement.id,
    )


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

    def live(self) -> Liveness:
        return Liveness(status="ok", version=__version__)

    async def ready(self, runtime: Runtime) -> Readiness:
        """Each component checked; failing when one errs, degraded when one is degraded."""
        components = {
            "database": Component(**(await self._check_database(runtime)).model_dump()),
            "storage": Component(**(await self._check_storage(runtime)).model_dump()),
            "disk": await anyio.to_thread.run_sync(probes.disk, runtime),
            "queue": await probes.timed(lambda: probes.queue(runtime)),
            "workers": await probes.timed(lambda: probes.workers(runtime)),
        }
        if (redis := await probes.redis_server(runtime)) is not None:
            components["redis"] = redis
        statuses = {component.status for component in components.values()}
        verdict = "failing" if "error" in statuses else "ok"
        if verdict == "ok" and statuses != {"ok"}:
            verdict = "degraded"
        return Readiness(status=verdict, version=__version__, components=components)

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

    # ---- status -------------------------------------------------------------------------

    async def status(self, session: AsyncSession, runtime: Runtime) -> SystemStatus:
        health = await self.health(runtime)
        announcement = await event_service.latest_system(session, "system.maintenance")
        return SystemStatus(
            status=health.status,
            version=__version__,
            host=socket.gethostname(),
            pid=os.getpid(),
            workers=health.workers,
            maintenance=maintenance_read(announcement),
        )

    async def announce_status(
        self, session: AsyncSession, runtime: Runtime, principal: Principal
    ) -> SystemStatus:
        """``system.status`` on an admin's request, with the current health."""
        current = await self.status(session, runtime)
        await event_service.emit(
            session,
            runtime,
            system_event(
                "system.status",
                state="running",
                status=current.status,
                version=current.version,
                host=current.host,
                pid=current.pid,
                requested_by=principal.user_id,
            ),
        )
        return current

    async def announce_lifecycle(self, runtime: Runtime, state: str) -> None:
        """``system.status`` when this API process starts or stops; never stops either."""
        try:
            async with runtime.db.session() as session:
                await event_service.emit(
                    session,
                    runtime,
                    system_event(
                        "system.status",
                        state=state,
                        version=__version__,
                        host=socket.gethostname(),
                        pid=os.getpid(),
                    ),
                )
        except Exception:
            logger.warning("could not announce system.status %s", state, exc_info=True)

    # ---- maintenance and broadcasts ----------------------------------------------------

    async def maintenance(self, session: AsyncSession) -> MaintenanceRead:
        return maintenance_read(await event_service.latest_system(session, "system.maintenance"))

    async def announce_maintenance(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        data: MaintenanceCreate,
    ) -> MaintenanceRead:
        if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
            raise ValidationFailed(
                [FieldError("ends_at", "before_start", "ends_at must be after starts_at.")]
            )
        announcement = system_event(
            "system.maintenance",
            **data.model_dump(mode="json"),
            announced_by=principal.user_id,
        )
        await event_service.emit(session, runtime, announcement)
        return maintenance_read(announcement)

    async def broadcast(
        self, session: AsyncSession, runtime: Runtime, principal: Principal, data: BroadcastCreate
    ) -> Event:
        """To every connected socket, and as a notification to every account."""
        message = system_event(
            "system.broadcast", **data.model_dump(mode="json"), sent_by=principal.user_id
        )
        await event_service.emit(session, runtime, message)
        return message

    # ---- signing keys ------------------------------------------------------------------

    def signing_keys(self, runtime: Runtime) -> SigningKeys:
        infos = runtime.keys.describe()
        current = next(info.kid for info in infos if info.current)
        return SigningKeys(
            current=current,
            keys=[
                SigningKeyRead(kid=i.kid, current=i.current, retired_at=i.retired_at) for i in infos
            ],
        )

    async def rotate_signing_key(self, runtime: Runtime) -> SigningKeys:
        lifetime = retired_key_lifetime(runtime.settings)
        try:
            await anyio.to_thread.run_sync(
                lambda: runtime.keys.rotate_stored(keep_retired=lifetime)
            )
        except KeyRotationUnavailable as error:
            raise Conflict(str(error)) from error
        return self.signing_keys(runtime)


system = SystemService()
