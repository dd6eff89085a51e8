"""``create_app()``: middleware, routers, error handlers and the lifespan that owns resources."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from folio import __version__
from folio.account.endpoints import router as account_router
from folio.admin.endpoints import router as admin_router
from folio.ai.endpoints import router as ai_router
from folio.analytics.endpoints import admin_router as analytics_admin_router
from folio.analytics.endpoints import router as analytics_router
from folio.assembly import build_runtime
from folio.audit.endpoints import router as audit_router
from folio.audit.middleware import ActivityLog, ActivityMiddleware
from folio.audit.recorder import ActivityRecorder
from folio.auth.bootstrap import announce, bootstrap_admin
from folio.auth.endpoints import router as auth_router
from folio.auth.middleware import AuthenticationMiddleware
from folio.auth.principal_cache import AccessWatcher
from folio.automations.endpoints import router as automations_router
from folio.automations.runner import AutomationRunner
from folio.backup.schedule import scheduled_backups
from folio.batches.endpoints import router as batches_router
from folio.classifiers.endpoints import router as classifiers_router
from folio.config import Settings, get_settings
from folio.core.datadir import DataDirLock
from folio.core.logging import configure_logging
from folio.core.middleware import (
    BodyLimitMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
    UnhandledErrorMiddleware,
    hsts_value,
)
from folio.core.openapi import install_openapi
from folio.core.problems import install_problem_handlers, internal_error_app, too_large_app
from folio.core.routing import include_shared
from folio.crawls.endpoints import router as crawls_router
from folio.crawls.supervisor import CrawlSupervisor
from folio.credits.endpoints import router as credits_router
from folio.datasets.builder import build_next
from folio.datasets.endpoints import router as datasets_router
from folio.directory.endpoints import login_router as ldap_login_router
from folio.directory.endpoints import router as directory_router
from folio.directory.schedule import directory_syncing
from folio.documents.endpoints import router as documents_router
from folio.encryption.service import check_keys
from folio.erasure.endpoints import router as erasure_router
from folio.erasure.runner import ErasureRunner
from folio.events.endpoints import router as events_router
from folio.events.service import event_log_pruning
from folio.exports.endpoints import router as exports_router
from folio.extractions.endpoints import document_router as extraction_documents_router
from folio.extractions.endpoints import router as extractions_router
from folio.images.endpoints import router as images_router
from folio.keys.endpoints import router as keys_router
from folio.metrics import store as metrics_store
from folio.metrics.endpoints import router as metrics_router
from folio.metrics.listener import start_listener
from folio.metrics.middleware import HttpMetricsMiddleware
from folio.migrations import upgrade_database
from folio.notifications.endpoints import router as notifications_router
from folio.notifications.service import digest_sending
from folio.processing.endpoints import router as processing_router
from folio.projects.endpoints import router as projects_router
from folio.ratelimit.limiter import RateLimiter, build_storage
from folio.ratelimit.middleware import RateLimitMiddleware
from folio.realtime.analytics import RealtimeAnalytics
from folio.realtime.endpoints import router as realtime_router
from folio.realtime.hub import Hub
from folio.recommendations.endpoints import router as recommendations_router
from folio.redactions.endpoints import router as redactions_router
from folio.reports.builder import ReportBuilder
from folio.reports.endpoints import router as reports_router
from folio.retention.endpoints import holds_router as legal_holds_router
from folio.retention.endpoints import router as retention_router
from folio.retention.purge import retention_purging
from folio.scim.endpoints import router as scim_router
from folio.scim.errors import scim_http_errors
from folio.security_scans.endpoints import router as security_router
from folio.shares.endpoints import public_router as shared_router
from folio.shares.endpoints import router as shares_router
from folio.sso.endpoints import router as sso_router
from folio.sso.web_endpoints import router as sso_web_router
from folio.system.endpoints import admin_router as system_admin_router
from folio.system.endpoints import router as system_router
from folio.system.service import system as system_service
from folio.tags.endpoints import router as tags_router
from folio.teams.endpoints import invitations_router
from folio.teams.endpoints import router as teams_router
from folio.templates.endpoints import router as templates_router
from folio.tickets.endpoints import router as tickets_router
from folio.usage.endpoints import router as usage_router
from folio.web.endpoints import install_web
from folio.webhooks.dispatcher import WebhookDispatcher
from folio.webhooks.endpoints import router as webhooks_router
from folio.workers.executors import build_executor, report_sender_for
from folio.workflows.endpoints import router as workflows_router
from folio.workflows.reminders import workflow_reminding

MULTIPART_OVERHEAD = 1024 * 1024


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
    # the embedded pool owns its jobs and data directory; Celery-run servers share nothing local
    lock = DataDirLock(settings.data_dir) if settings.executor == "local" else None
    if lock is not None:
        lock.acquire()
    runtime = build_runtime(settings)
    try:
        if settings.is_sqlite:
            await upgrade_database(runtime.db.engine)
        async with runtime.db.session() as session:
            await check_keys(session, settings.keyring())  # a missing key stops the start
        async with runtime.db.session() as session:
            credentials = await bootstrap_admin(session, settings.admin_email, settings)
        if credentials is not None:
            sys.stderr.write(announce(credentials))
        app.state.runtime = runtime
        app.state.initial_credentials = credentials
        await runtime.bus.start()
        access_watcher = AccessWatcher(runtime.bus)
        access_watcher.start()
        hub = Hub(
            runtime.bus,
            queue_size=settings.ws_queue_size,
            max_per_user=settings.ws_max_connections_per_user,
        )
        await hub.start()
        app.state.hub = hub
        analytics = RealtimeAnalytics(runtime.bus, settings.analytics_realtime_interval_s)
        if settings.analytics_realtime_interval_s > 0:
            await analytics.start()
            app.state.team_activity = analytics.activity  # fed requests by the auth middleware
        pruning, digests = event_log_pruning(runtime), digest_sending(runtime)
        pruning.start()
        digests.start()
        backups = scheduled_backups(settings)
        if backups is not None:
            backups.start()
        purging = retention_purging(runtime)
        if purging is not None:
            purging.start()
        reminding = workflow_reminding(runtime)
        if reminding is not None:
            reminding.start()
        directory_sync = directory_syncing(runtime)
        if directory_sync is not None:
            directory_sync.start()
        app.state.digests = digests
        webhooks = WebhookDispatcher(runtime)
        await webhooks.start()
        automations = AutomationRunner(runtime)
        await automations.start()
        pool = build_executor(runtime)
        if pool is not None:
            runtime.dispatcher = pool
            await pool.start()
        crawls = (
            CrawlSupervisor(runtime, build_next)
            if settings.crawler_max_running_chunks > 0
            else None
        )
        if crawls is not None:
            await crawls.start()
        reports = ReportBuilder(runtime, send=report_sender_for(settings))
        await reports.start()
        erasures = ErasureRunner(runtime)
        await erasures.start()
        app.state.metrics_listener = listener = start_listener(runtime)  # or None
        await system_service.announce_lifecycle(runtime, "started")
        try:
            yield
        finally:
            await system_service.announce_lifecycle(runtime, "stopping")
            if listener is not None:
                listener.stop()
            await reports.stop()
            await erasures.stop()
            if crawls is not None:
                await crawls.stop()
            if pool is not None:
                await pool.stop()
            await pruning.stop()
            await digests.stop()
            if backups is not None:
                await backups.stop()
            if purging is not None:
                await purging.stop()
            if reminding is not None:
                await reminding.stop()
            if directory_sync is not None:
                await directory_sync.stop()
            await webhooks.stop()
            await automations.stop()
            await analytics.stop()
            await hub.stop()
            await access_watcher.stop()
    finally:
        runtime.sandbox.close()
        runtime.processor.close()
        runtime.renderer.close()
        await runtime.bus.stop()
        await runtime.db.dispose()
        if lock is not None:
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
    metrics_store.enable(settings.metrics_path)  # before any sample: all processes add up
    install_problem_handlers(app)
    scim_http_errors(app)  # SCIM answers its errors in its own format
    # FastAPI tries the routers in this order on every request: the most requested come first
    for router in (
        documents_router,
        batches_router,
        system_router,
        system_admin_router,
        auth_router,
        teams_router,
        invitations_router,
        keys_router,
        shares_router,
        shared_router,
        usage_router,
        analytics_router,
        analytics_admin_router,
        reports_router,
        audit_router,
        realtime_router,
        webhooks_router,
        events_router,
        notifications_router,
        ai_router,
        projects_router,
        crawls_router,
        images_router,
        datasets_router,
        credits_router,
        redactions_router,
        classifiers_router,
        security_router,
        recommendations_router,
        templates_router,
        extractions_router,
        extraction_documents_router,
        exports_router,
        processing_router,
        tickets_router,
        metrics_router,
        admin_router,
        account_router,
        retention_router,
        legal_holds_router,
        erasure_router,
        workflows_router,
        directory_router,
        ldap_login_router,
        scim_router,
        sso_router,
        sso_web_router,
        tags_router,
        automations_router,
    ):
        include_shared(app, router)
    install_web(app)  # the browser app at /, after the API's routes
    install_openapi(app)
    # usage counts and audit entries: buffered, flushed by a task inside the lifespan
    activity = ActivityRecorder(settings)
    app.state.activity, app.state.usage_meter = activity, activity.usage
    app.router.lifespan_context = activity.wrap_lifespan(app.router.lifespan_context)
    activity_log = ActivityLog(activity)
    app.add_middleware(ActivityMiddleware, log=activity_log)  # innermost
    app.add_middleware(
        RateLimitMiddleware,
        settings=settings,
        limiter=RateLimiter(build_storage(settings)),
        check_quota=activity.usage.api_calls_exceeded,
        on_refused=activity_log.refused,
    )
    app.add_middleware(AuthenticationMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, limit_for=body_limit_for(settings), on_too_large=too_large_app
    )
    app.add_middleware(UnhandledErrorMiddleware, on_error=internal_error_app)
    if settings.cors_allow_origins:  # off by default: browsers then allow same-origin calls only
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=settings.cors_allow_methods,
            allow_headers=settings.cors_allow_headers,
            expose_headers=settings.cors_expose_headers,
            allow_credentials=settings.cors_allow_credentials,
            max_age=settings.cors_max_age_s,
        )
    app.add_middleware(
        SecurityHeadersMiddleware,
        script_paths=docs_paths(app),
        hsts=hsts_value(settings.hsts_max_age_s, settings.hsts_include_subdomains),
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(HttpMetricsMiddleware)  # outermost: every answer counts, 500s too
    return app


def docs_paths(app: FastAPI) -> list[str]:
    """The interactive API docs: HTML pages that need scripts, so no sandbox."""
    return [p for p in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url) if p]
