"""The components ``GET /health/ready`` looks at, each answering ok, degraded or error.

``error`` (database, storage) makes the process unfit for traffic: 503. ``degraded`` (a full
disk, an old queue, no workers, Redis or Celery away) still serves requests, answered 200 with
``status: degraded``, so that a load balancer does not take every API process out at once for a
problem none of them can fix; alert on it instead (docs/operations/metrics.md).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Awaitable, Callable

import anyio
import redis.asyncio as redis

from folio.core.runtime import Runtime
from folio.jobs.service import job as job_service
from folio.system.schemas import Component
from folio.workers.celery_app import make_celery

MB = 1024 * 1024
CELERY_APP = "system.celery_probe"


async def timed(probe: Callable[[], Awaitable[Component]]) -> Component:
    started = time.perf_counter()
    component = await probe()
    component.latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return component


def disk(runtime: Runtime) -> Component:
    settings = runtime.settings
    usage = shutil.disk_usage(settings.data_dir)
    free_mb = usage.free // MB
    observed = {"free_mb": free_mb, "min_free_mb": settings.health_min_free_disk_mb}
    if free_mb < settings.health_min_free_disk_mb:
        return Component(
            status="degraded",
            detail="The data directory's disk is nearly full.",
            observed=observed,
        )
    return Component(status="ok", observed=observed)


async def queue(runtime: Runtime) -> Component:
    try:
        async with runtime.db.session(write=False) as session:
            stats = await job_service.queue_stats(session)
    except Exception as error:
        return Component(status="error", detail=type(error).__name__)
    limit = runtime.settings.health_max_queue_age_s
    observed = {
        "queued": stats.queued,
        "running": stats.running,
        "oldest_age_s": round(stats.oldest_age_s, 1),
        "max_age_s": limit,
    }
    if stats.oldest_age_s > limit:
        return Component(status="degraded", detail="Jobs wait too long.", observed=observed)
    return Component(status="ok", observed=observed)


async def workers(runtime: Runtime) -> Component:
    status = runtime.dispatcher.status()
    if status.get("executor") == "celery":
        return await celery_workers(runtime)
    observed = {k: v for k, v in status.items() if isinstance(v, int | bool | str)}
    if not status.get("size"):
        detail = "This process runs no pipeline workers: jobs wait for one that does."
        return Component(status="degraded", detail=detail, observed=observed)
    return Component(status="ok", observed=observed)


async def celery_workers(runtime: Runtime) -> Component:
    timeout = runtime.settings.health_probe_timeout_s
    celery = runtime.state.get(CELERY_APP)
    if celery is None:
        celery = runtime.state[CELERY_APP] = make_celery(runtime.settings)
    try:
        with anyio.fail_after(timeout + 1):
            replies = await anyio.to_thread.run_sync(
                lambda: celery.control.ping(timeout=timeout), abandon_on_cancel=True
            )
    except Exception as error:
        return Component(status="degraded", detail=f"Celery: {type(error).__name__}")
    observed: dict[str, object] = {"executor": "celery", "workers": len(replies or [])}
    if not replies:
        detail = "No Celery worker answered: jobs wait until one runs."
        return Component(status="degraded", detail=detail, observed=observed)
    return Component(status="ok", observed=observed)


async def redis_server(runtime: Runtime) -> Component | None:
    url = runtime.settings.redis_url
    if not url:
        return None
    timeout = runtime.settings.health_probe_timeout_s
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        await client.ping()
    except Exception as error:
        return Component(status="degraded", detail=f"Redis: {type(error).__name__}")
    finally:
        await client.aclose()
    return Component(status="ok")
