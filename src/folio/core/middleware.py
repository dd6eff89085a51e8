"""Pure ASGI middleware: request ids, unhandled errors, security headers and request-body
limits (cheaper than BaseHTTPMiddleware)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.core.ids import IdPrefix, new_id

REQUEST_ID_HEADER = b"x-request-id"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
request_id_var: ContextVar[str] = ContextVar("request_id", default="")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = given if VALID_REQUEST_ID.match(given) else new_id(IdPrefix.request)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != REQUEST_ID_HEADER]
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class UnhandledErrorMiddleware:
    """Answers an exception no handler took with ``on_error``'s response. It runs inside
    :class:`RequestIdMiddleware` (Starlette's own last-resort handler runs outside every
    middleware), so the log line, the problem body and the headers carry the request id."""

    def __init__(self, app: ASGIApp, on_error: Callable[[Scope], ASGIApp]) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if response_started:
                raise
            await self.on_error(scope)(scope, receive, send)


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
# JSON, problems and served files: nothing in them may run, load or be framed
API_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'; sandbox")
# the interactive API docs run scripts from a CDN: they may not be framed, that is all
DOCS_POLICY = (b"content-security-policy", b"frame-ancestors 'none'")
CONTENT_DISPOSITION = b"content-disposition"
SECURE_SCHEMES = frozenset({"https", "wss"})


def hsts_value(max_age_s: int, include_subdomains: bool) -> bytes | None:
    if max_age_s <= 0:
        return None
    return f"max-age={max_age_s}{'; includeSubDomains' if include_subdomains else ''}".encode()


class SecurityHeadersMiddleware:
    """The one owner of the hardening headers, on every response: API answers, problems, 404s,
    served files and refused WebSocket upgrades. A response that sets a header itself keeps
    its value: the web app's pages layer their stricter policy on top this way. Everything
    but the interactive API docs (which run scripts) gets a policy ending in ``sandbox``, and a
    served file always downloads as an attachment, so an uploaded HTML or SVG file never runs
    in Folio's origin. ``Strict-Transport-Security`` goes on answers to HTTPS requests: the
    scheme uvicorn saw, which is ``X-Forwarded-Proto`` only when the proxy is trusted
    (``FORWARDED_ALLOW_IPS``)."""

    def __init__(
        self, app: ASGIApp, script_paths: Collection[str] = (), hsts: bytes | None = None
    ) -> None:
        self.app = app
        self.script_paths = frozenset(script_paths)
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in self.script_paths else API_POLICY
        extra: tuple[tuple[bytes, bytes], ...] = (*SECURITY_HEADERS, policy)
        if self.hsts is not None and scope.get("scheme") in SECURE_SCHEMES:
            extra = (*extra, (b"strict-transport-security", self.hsts))

        async def send_hardened(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                message["headers"] = _hardened(list(message.get("headers", [])), extra)
            await send(message)

        await self.app(scope, receive, send_hardened)


def _hardened(
    headers: list[tuple[bytes, bytes]], extra: tuple[tuple[bytes, bytes], ...]
) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in extra if name not in present]
    return [
        (name, b"attachment" + value[len(b"inline") :])
        if name.lower() == CONTENT_DISPOSITION and value.lower().startswith(b"inline")
        else (name, value)
        for name, value in headers
    ]


BODY_TOO_LARGE = "body_too_large"


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class BodyLimitMiddleware:
    """Refuses a body over the route's limit before it is read (Content-Length) or while it
    streams (chunked), so an oversized upload is never buffered."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int | None],
        on_too_large: Callable[[int], ASGIApp],
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.on_too_large = on_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self.on_too_large(limit)(scope, receive, send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI turns errors while parsing a body into a 400; this flag lets the
                    # error handler answer 413 instead.
                    scope.setdefault("state", {})[BODY_TOO_LARGE] = limit
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self.on_too_large(limit)(scope, receive, send)
