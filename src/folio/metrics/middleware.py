"""Counts and times every HTTP request by its route template (``/api/v1/documents/{document_id}``),
never the raw path: one time series per route, not per document."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.metrics import collectors

UNMATCHED = "unmatched"  # no route: 404s for unknown paths, or refused before routing
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception no middleware answered

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            collectors.observe_http(
                route_template(scope), method_label(scope), status, time.perf_counter() - started
            )


def route_template(scope: Scope) -> str:
    """The matched route's path template; the router stores the route in the scope."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def method_label(scope: Scope) -> str:
    method = str(scope["method"])
    return method if method in METHODS else "OTHER"  # a client cannot invent label values
