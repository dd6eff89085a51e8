"""Pure ASGI middleware, innermost: times every ``/api/v1`` request for the usage log and
writes an audit entry for every state-changing one (POST, PUT, PATCH, DELETE)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from folio.analytics.histograms import HTTP
from folio.audit.actions import (
    API_PREFIX,
    WRITE_METHODS,
    ActionNames,
    IdSource,
    RouteTable,
    field_names,
    outcome_of,
)
from folio.audit.recorder import ActivityRecorder
from folio.audit.service import new_audit_id
from folio.core.db import utcnow
from folio.core.openapi import documented_paths
from folio.core.principal import KEY_REFUSAL_KEY, Principal
from folio.ratelimit.middleware import caller, client_ip, is_limited_path

logger = logging.getLogger("folio.audit")
MAX_CAPTURE = 64 * 1024  # bodies larger than this are not inspected for field names or ids
UNMATCHED = "(unmatched)"


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def route_template(scope: Scope) -> str | None:
    route = scope.get("route")
    return getattr(route, "path", None) if route is not None else None


class ActivityLog:
    """Turns a finished request into a usage count and, for writes, an audit entry."""

    def __init__(self, recorder: ActivityRecorder) -> None:
        self.recorder = recorder
        self._names: ActionNames | None = None
        self._routes: RouteTable | None = None

    def request_done(
        self,
        scope: Scope,
        *,
        template: str | None,
        status: int,
        latency_ms: float,
        request_body: bytes = b"",
        response_body: bytes = b"",
        content_type: str = "",
    ) -> None:
        principal = caller(scope)
        if principal is not None:
            self.recorder.usage.record(
                principal,
                method=scope["method"],
                route=template or UNMATCHED,
                status=status,
                latency_ms=latency_ms,
            )
            if template is not None:
                route = f"{scope['method']} {template}"
                self.recorder.latency.record(principal.team_id, HTTP, route, latency_ms)
        refusal = scope.get("state", {}).get(KEY_REFUSAL_KEY)
        if refusal is not None:
            self.recorder.add(self._refusal_entry(scope, refusal, template, status))
        elif scope["method"] in WRITE_METHODS and template is not None:
            entry = self._entry(
                scope, principal, template, status, request_body, response_body, content_type
            )
            self.recorder.add(entry)

    def refused(self, scope: Scope, status: int) -> None:
        """For requests the rate-limit middleware refused before routing: counted in the usage
        log, not audited (they changed nothing, and a flood must not grow the trail)."""
        principal = caller(scope)
        if principal is not None:
            self.recorder.usage.record(
                principal,
                method=scope["method"],
                route=self._route_table(scope).match(scope["path"]) or UNMATCHED,
                status=status,
                latency_ms=0.0,
            )

    def _refusal_entry(
        self, scope: Scope, refusal: dict[str, str], template: str | None, status: int
    ) -> dict[str, Any]:
        """A valid API key used from an address (or without the allow-list) its team's policy
        refuses: a security entry in that team's trail, whatever the method."""
        return {
            "id": new_audit_id(),
            "created_at": utcnow(),
            "team_id": refusal["team_id"],
            "actor_type": "api_key",
            "actor_user_id": refusal["user_id"] or None,
            "actor_key_id": refusal["key_id"],
            "action": f"api_keys.{refusal['code'].lower()}",
            "resource_type": "api_key",
            "resource_id": refusal["key_id"],
            "method": scope["method"],
            "route": (template or scope["path"])[:300],
            "status_code": status,
            "outcome": outcome_of(status).value,
            "ip": client_ip(scope)[:64],
            "user_agent": header(scope, b"user-agent")[:500] or None,
            "request_id": scope.get("state", {}).get("request_id"),
            "changed_fields": [],
        }

    def _route_table(self, scope: Scope) -> RouteTable:
        """From the app's documented paths (FastAPI keeps included routers nested, so
        ``app.routes`` does not list them)."""
        if self._routes is None:
            paths = documented_paths(scope["app"])
            self._routes = RouteTable(p for p in paths if p.startswith(API_PREFIX))
        return self._routes

    def _action_names(self, scope: Scope) -> ActionNames:
        if self._names is None:
            self._names = ActionNames(self._route_table(scope).templates)
        return self._names

    def _entry(
        self,
        scope: Scope,
        principal: Principal | None,
        template: str,
        status: int,
        request_body: bytes,
        response_body: bytes,
        content_type: str,
    ) -> dict[str, Any]:
        action = self._action_names(scope).describe(scope["method"], template)
        resource_id = None
        if action.id_source is IdSource.path:
            params = scope.get("path_params") or {}
            resource_id = str(list(params.values())[-1]) if params else None
        elif action.id_source is IdSource.response and response_body and status < 400:
            resource_id = response_id(response_body)
        return {
            "id": new_audit_id(),
            "created_at": utcnow(),
            "team_id": principal.team_id if principal else None,
            "actor_type": principal.credential.value if principal else "anonymous",
            "actor_user_id": principal.user_id if principal else None,
            "actor_key_id": principal.key_id if principal else None,
            "action": action.name[:120],
            "resource_type": action.resource_type,
            "resource_id": resource_id[:120] if resource_id else None,
            "method": scope["method"],
            "route": template[:300],
            "status_code": status,
            "outcome": outcome_of(status).value,
            "ip": client_ip(scope)[:64],
            "user_agent": header(scope, b"user-agent")[:500] or None,
            "request_id": scope.get("state", {}).get("request_id"),
            "changed_fields": field_names(request_body, content_type) if request_body else [],
        }


class ActivityMiddleware:
    def __init__(self, app: ASGIApp, *, log: ActivityLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_limited_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        audited = scope["method"] in WRITE_METHODS
        status = 500
        request_body = bytearray()
        response_body = bytearray()
        capture_response = False
        content_type = header(scope, b"content-type").lower() if audited else ""
        capture_request = audited and ("json" in content_type or "form-urlencoded" in content_type)

        async def tee_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) <= MAX_CAPTURE:
                request_body.extend(message.get("body", b""))
            return message

        async def tee_send(message: Message) -> None:
            nonlocal status, capture_response
            if message["type"] == "http.response.start":
                status = message["status"]
                if audited and scope["method"] == "POST":
                    headers = dict(message.get("headers", []))
                    capture_response = b"json" in headers.get(b"content-type", b"")
            elif capture_response and len(response_body) <= MAX_CAPTURE:
                response_body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, tee_receive if capture_request else receive, tee_send)
        finally:
            try:
                self.log.request_done(
                    scope,
                    template=route_template(scope),
                    status=status,
                    latency_ms=(time.perf_counter() - started) * 1000,
                    request_body=bytes(request_body) if len(request_body) <= MAX_CAPTURE else b"",
                    response_body=bytes(response_body),
                    content_type=content_type,
                )
            except Exception:  # recording must never break a request
                logger.exception("could not record %s %s", scope["method"], scope["path"])


def response_id(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) else None
