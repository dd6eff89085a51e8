"""Pure ASGI middleware: limits every ``/api/v1`` request and adds the rate-limit headers.

Runs after authentication (the principal is in the scope) and before the audit middleware.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.config import Settings
from folio.core.errors import FolioError
from folio.core.principal import Principal, principal_from_scope
from folio.core.problems import problem_body, problem_response
from folio.ratelimit.limiter import Decision, RateLimiter
from folio.ratelimit.policy import PlanTable, Window, policy_for

API_PREFIX = "/api/v1"
logger = logging.getLogger("folio.ratelimit")

QuotaCheck = Callable[[Principal], Awaitable[FolioError | None]]
OnRefused = Callable[[Scope, int], None]


def is_limited_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def caller(scope: MutableMapping[str, Any]) -> Principal | None:
    """The principal the authentication middleware (outside this one) stored; None: anonymous."""
    return principal_from_scope(scope)


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


@lru_cache(maxsize=1024)
def policy_field(windows: tuple[Window, ...]) -> str:
    return ", ".join(f'"{w.name}";q={w.amount};w={w.seconds}' for w in windows)


def rate_limit_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    state = decision.binding
    reset_in = max(0, math.ceil(state.reset_at - time.time()))
    policy = policy_field(decision.policy.windows)
    values = {
        b"x-ratelimit-limit": str(state.window.amount),
        b"x-ratelimit-remaining": str(state.remaining),
        b"x-ratelimit-reset": str(math.ceil(state.reset_at)),
        b"ratelimit-policy": policy,
        b"ratelimit": f'"{state.window.name}";r={state.remaining};t={reset_in}',
    }
    return [(name, value.encode("latin-1")) for name, value in values.items()]


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        limiter: RateLimiter,
        check_quota: QuotaCheck | None = None,
        on_refused: OnRefused | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.plans = PlanTable(settings)
        self.limiter = limiter
        self.check_quota = check_quota
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.settings.rate_limit_enabled
            or not is_limited_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        principal = caller(scope)
        decision = await self.limiter.hit(policy_for(self.plans, principal, client_ip(scope)))
        headers = rate_limit_headers(decision) if decision is not None else []
        if decision is not None and not decision.allowed:
            await self._refuse(scope, receive, send, decision, headers)
            return
        if principal is not None and self.check_quota is not None:
            try:
                error = await self.check_quota(principal)
            except Exception:  # the quota store is unreachable: serve, as for the limiter
                logger.warning("quota check failed; request not limited", exc_info=True)
                error = None
            if error is not None:
                await self._send_error(scope, receive, send, error, headers)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and headers:
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        decision: Decision,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        window = decision.binding.window
        retry_after = decision.retry_after
        body = problem_body(
            status=429,
            code="RATE_LIMITED",
            title="Too many requests",
            detail=(
                f"The limit of {window.amount} requests per {window.name} is used up; "
                f"retry in {retry_after} s."
            ),
            instance=scope["path"],
            limit=window.amount,
            window=window.name,
            retry_after=retry_after,
        )
        if self.on_refused is not None:
            self.on_refused(scope, 429)
        response = problem_response(429, body, {"Retry-After": str(retry_after)})
        response.raw_headers.extend(headers)
        await response(scope, receive, send)

    async def _send_error(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        error: FolioError,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        body = problem_body(
            status=error.status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            instance=scope["path"],
            **error.extra,
        )
        if self.on_refused is not None:
            self.on_refused(scope, error.status)
        response = problem_response(error.status, body, error.headers or None)
        response.raw_headers.extend(headers)
        await response(scope, receive, send)
