"""Resolves the caller once per request and stores it in the ASGI scope (core/principal.py)."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from folio.auth.addresses import ensure_allowed, note_refusal
from folio.auth.errors import KeyRefused
from folio.auth.principal_cache import PrincipalCache
from folio.auth.resolver import credential_from_headers, resolve
from folio.core.errors import FolioError
from folio.core.principal import AUTH_ERROR_KEY, PRINCIPAL_KEY, scope_state

logger = logging.getLogger("folio.auth")


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.principals = PrincipalCache(resolve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            await self._authenticate(scope)
        await self.app(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> None:
        state = scope_state(scope)
        state[PRINCIPAL_KEY] = None
        headers = dict(scope["headers"])
        credential = credential_from_headers(headers)
        if credential is None:
            return
        team_header = headers.get(b"x-team-id", b"").decode("latin-1").strip() or None
        runtime = scope["app"].state.runtime
        try:
            principal = await self.principals.resolve(runtime, credential, team_header)
            ensure_allowed(principal, scope)  # per request: the cache is not per address
        except FolioError as error:
            state[AUTH_ERROR_KEY] = error
            if isinstance(error, KeyRefused):
                note_refusal(scope, error)
            return
        state[PRINCIPAL_KEY] = principal
        activity = getattr(scope["app"].state, "team_activity", None)
        if activity is not None and scope["type"] == "http":
            activity.request(principal.team_id)  # for analytics.realtime
