"""``create_app()``: middleware, routers, error handlers and the lifespan that owns resources."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from folio import __version__
from folio.batches.endpoints import router as batches_router
from folio.config import Settings, get_settings
from folio.core.datadir import DataDirLock
from folio.core.db import Database
from folio.core.events import InMemoryEventBus
from folio.core.logging import configure_logging
from folio.core.middleware import BodyLimitMiddleware, RequestIdMiddleware
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.problems import install_problem_handlers, too_large_app
from folio.core.runtime import Runtime
from folio.core.storage import LocalBlobStorage
from folio.documents.endpoints import router as documents_router
from folio.jobs.pool import LocalWorkerPool
from folio.migrations import upgrade_database
from folio.system.endpoints import router as system_router
from folio.teams.service import team as team_service

MULTIPART_OVERHEAD = 1024 * 1024


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Runtime(
        settings=settings,
        db=Database(settings.resolved_database_url),
        storage=LocalBlobStorage(settings.blob_dir),
        bus=InMemoryEventBus(),
    )


def body_limit_for(settings: Settings):
    def limit_for(path: str) -> int | None:
        if path.rstrip("/") == "/api/v1/documents":
            return settings.max_upload_bytes + MULTIPART_OVERHEAD
        if path.rstrip("/") == "/api/v1/batches":
            return settings.max_batch_bytes + MULTIPART_OVERHEAD
        return 1024 * 1024  # JSON bodies

    return limit_for


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    lock = DataDirLock(settings.data_dir)
    lock.acquire()
    runtime = build_runtime(settings)
    try:
        if settings.is_sqlite:
            await upgrade_database(runtime.db.engine)
        async with runtime.db.session() as session:
            team = await team_service.ensure_default(session)
        app.state.runtime = runtime
        app.state.default_principal = Principal(
            team_id=team.id,
            team_ids=frozenset({team.id}),
            permissions=frozenset(Permission),
            credential="default-team",
        )
        pool = LocalWorkerPool(runtime, settings.workers) if settings.workers > 0 else None
        if pool is not None:
            runtime.dispatcher = pool
            await pool.start()
        try:
            yield
        finally:
            if pool is not None:
                await pool.stop()
    finally:
        await runtime.db.dispose()
        lock.release()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app = FastAPI(
        title="Folio",
        version=__version__,
        summary="Self-hosted document intelligence: text, OCR and understanding over REST.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    for router in (system_router, documents_router, batches_router):
        app.include_router(router)
    app.add_middleware(
        BodyLimitMiddleware, limit_for=body_limit_for(settings), on_too_large=too_large_app
    )
    app.add_middleware(RequestIdMiddleware)
    return app
