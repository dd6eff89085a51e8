"""Added latency of the rate-limit and activity (usage + audit) middlewares.

1. End to end: two apps in the same process, identical but for those two middlewares, answer
   the same authenticated ``GET /api/v1/documents`` over ASGI (no network), in alternating
   rounds so drift hits both alike. Limits are set high so the limiter counts but never refuses.
2. Intrinsic: the same two middlewares around a bare ASGI endpoint (no routing, no database),
   called directly, against the bare endpoint: the cost per request in microseconds.

    .venv/bin/python bench/middleware_overhead.py [--requests 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from folio.app import create_app
from folio.audit.middleware import ActivityLog, ActivityMiddleware
from folio.audit.recorder import ActivityRecorder
from folio.config import Settings
from folio.core.principal import Credential, Principal
from folio.ratelimit.limiter import RateLimiter, build_storage
from folio.ratelimit.middleware import RateLimitMiddleware

OURS = (RateLimitMiddleware, ActivityMiddleware)
HIGH = {"minute": 10**9, "hour": 10**9, "day": 10**9}


def settings_for(data_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        workers=0,
        log_json=False,
        log_level="WARNING",
        rate_limit_plans={"free": HIGH, "pro": HIGH, "enterprise": HIGH},
    )


def without_ours(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls not in OURS]
    return app


async def timed(client: httpx.AsyncClient, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get("/api/v1/documents")
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return samples


async def main(requests: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with_app = create_app(settings_for(Path(tmp) / "with"))
        bare_app = without_ours(create_app(settings_for(Path(tmp) / "without")))
        async with contextlib.AsyncExitStack() as stack:
            with contextlib.redirect_stderr(io.StringIO()):  # the first-start banners
                await stack.enter_async_context(with_app.router.lifespan_context(with_app))
                await stack.enter_async_context(bare_app.router.lifespan_context(bare_app))
            clients = {}
            for name, app in (("with", with_app), ("without", bare_app)):
                key = app.state.initial_credentials.api_key
                clients[name] = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://bench",
                    headers={"Authorization": f"Bearer {key}"},
                )
            samples: dict[str, list[float]] = {"with": [], "without": []}
            for name in samples:  # warm up both
                await timed(clients[name], 50)
            for _ in range(rounds):
                for name in ("without", "with"):
                    samples[name] += await timed(clients[name], requests)
            for client in clients.values():
                await client.aclose()
            assert "x-ratelimit-limit" in (await _probe(with_app)).headers
    report(samples)


async def _probe(app: FastAPI) -> httpx.Response:
    key = app.state.initial_credentials.api_key
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        return await client.get("/api/v1/documents", headers={"X-API-Key": key})


def report(samples: dict[str, list[float]]) -> None:
    def stats(values: list[float]) -> tuple[float, float, float]:
        ordered = sorted(values)
        return (
            statistics.fmean(values) * 1e3,
            ordered[len(ordered) // 2] * 1e3,
            ordered[int(len(ordered) * 0.95)] * 1e3,
        )

    with_mean, with_p50, with_p95 = stats(samples["with"])
    bare_mean, bare_p50, bare_p95 = stats(samples["without"])
    print(f"requests per variant: {len(samples['with'])}  (GET /api/v1/documents, API key)")
    print(f"{'':18}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'without ours':18}{bare_mean:10.3f}{bare_p50:10.3f}{bare_p95:10.3f}")
    print(f"{'with ours':18}{with_mean:10.3f}{with_p50:10.3f}{with_p95:10.3f}")
    print(
        f"added: {with_mean - bare_mean:+.3f} ms mean, {with_p50 - bare_p50:+.3f} ms p50; "
        f"ratio with/without: {with_mean / bare_mean:.3f} (mean), {with_p50 / bare_p50:.3f} (p50)"
    )


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    body = b'{"items":[],"next_cursor":null,"has_more":false}'
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def intrinsic(calls: int) -> None:
    settings = settings_for(Path(tempfile.gettempdir()) / "unused")
    recorder = ActivityRecorder(settings)  # no database: counts stay in memory
    log = ActivityLog(recorder)
    ours = RateLimitMiddleware(
        ActivityMiddleware(endpoint, log=log),
        settings=settings,
        limiter=RateLimiter(build_storage(settings)),
        check_quota=recorder.usage.api_calls_exceeded,
        on_refused=log.refused,
    )
    principal = Principal(
        team_id="team_bench",
        team_ids=frozenset({"team_bench"}),
        user_id="usr_bench",
        key_id="key_bench",
        credential=Credential.api_key,
    )

    class App:
        class state:
            pass

        router = None

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: object) -> None:
        return None

    def scope() -> dict[str, object]:
        return {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/documents",
            "headers": [(b"user-agent", b"bench")],
            "client": ("127.0.0.1", 1),
            "app": App,
            "state": {"principal": principal},
        }

    results = {}
    for name, target in (("bare", endpoint), ("ours", ours), ("bare ", endpoint), ("ours ", ours)):
        started = time.perf_counter()
        for _ in range(calls):
            await target(scope(), receive, send)  # type: ignore[arg-type]
        results[name.strip()] = (time.perf_counter() - started) / calls * 1e6
    print(
        f"intrinsic, {calls} direct ASGI calls: bare endpoint {results['bare']:.1f} us, "
        f"with rate limit + activity {results['ours']:.1f} us "
        f"(+{results['ours'] - results['bare']:.1f} us per request)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20_000, help="intrinsic measurement")
    args = parser.parse_args()
    asyncio.run(intrinsic(args.calls))
    asyncio.run(main(args.requests, args.rounds))
