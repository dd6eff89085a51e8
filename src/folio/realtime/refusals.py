"""Refused WebSocket connections in the audit trail, coalesced so a flood cannot flood it.

A refusal (bad or missing credential, an API key refused for its address, too many open
sockets, no ``documents:read``, access lost at a re-check) becomes a ``websocket.refused``
entry in the team's trail when the team is known, else a team-less one. The entry is only
handed to the activity recorder's buffer: the socket never waits for a database write.

Coalescing: per (client IP, reason, team) and fixed window of ``WINDOW_S``, the first refusal
is recorded at once; the others in that window are counted, and when the window ends one more
entry reports how many there were (``changed_fields == ["repeated:<n>"]``). At most
``MAX_WINDOWS`` windows are open at a time; refusals past that are counted in one overflow
window per reason (IP ``*``, no team), so a spray from many addresses adds at most
``MAX_WINDOWS`` entries, one per reason more, and as many summaries per window.

The counts of windows still open when the app stops are not written (the recorder's last
flush comes before the realtime hub stops); every window's first refusal is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from folio.audit.service import new_audit_id
from folio.auth.errors import KeyRefused
from folio.core.db import utcnow
from folio.core.principal import Principal

ACTION = "websocket.refused"
ROUTE = "/api/v1/ws"
METHOD = "WS"
WINDOW_S = 60.0
MAX_WINDOWS = 1000
ANY_IP = "*"
logger = logging.getLogger("folio.realtime")

Sink = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Refused:
    """One refused connection: why, how it was closed, and who it was when that is known."""

    reason: str  # a stable code: INVALID_TOKEN, TOO_MANY_CONNECTIONS, FORBIDDEN …
    close_code: int
    ip: str
    team_id: str | None = None
    user_id: str | None = None
    key_id: str | None = None
    actor_type: str = "anonymous"
    user_agent: str | None = None
    request_id: str | None = None

    @classmethod
    def of(
        cls,
        scope: MutableMapping[str, Any],
        reason: str,
        close_code: int,
        principal: Principal | None = None,
        key_refused: KeyRefused | None = None,
    ) -> Refused:
        """From the socket's ASGI scope, and who it was: a principal, or a refused API key."""
        client = scope.get("client")
        headers = dict(scope.get("headers") or ())
        common: dict[str, Any] = {
            "reason": reason,
            "close_code": close_code,
            "ip": (client[0] if client else "unknown")[:64],
            "user_agent": headers.get(b"user-agent", b"").decode("latin-1")[:500] or None,
            "request_id": (scope.get("state") or {}).get("request_id"),
        }
        if principal is not None:
            return cls(
                team_id=principal.team_id,
                user_id=principal.user_id,
                key_id=principal.key_id,
                actor_type=principal.credential.value,
                **common,
            )
        if key_refused is not None:
            return cls(
                team_id=key_refused.team_id,
                user_id=key_refused.user_id or None,
                key_id=key_refused.key_id or None,
                actor_type="api_key",
                **common,
            )
        return cls(**common)

    @property
    def window_key(self) -> tuple[str, str, str | None]:
        return (self.ip, self.reason, self.team_id)


@dataclass
class Window:
    first: Refused
    repeated: int = 0
    handle: asyncio.TimerHandle | None = field(default=None, repr=False)


class RefusalLog:
    """Hands coalesced refusal entries to ``sink`` (the activity recorder's ``add``)."""

    def __init__(self, sink: Sink, *, window_s: float = WINDOW_S) -> None:
        self.sink = sink
        self.window_s = window_s
        self._windows: dict[tuple[str, str, str | None], Window] = {}

    def refused(self, refusal: Refused) -> None:
        key = refusal.window_key
        if key not in self._windows and len(self._windows) >= MAX_WINDOWS:
            refusal = Refused(refusal.reason, refusal.close_code, ANY_IP)
            key = refusal.window_key
        window = self._windows.get(key)
        if window is not None:
            window.repeated += 1
            return
        window = self._windows[key] = Window(refusal)
        window.handle = asyncio.get_running_loop().call_later(self.window_s, self._close, key)
        self._emit(refusal, repeated=0)

    def close_all(self) -> None:
        """Ends every open window now, writing the counts of those with repeats."""
        for key in list(self._windows):
            self._close(key)

    def _close(self, key: tuple[str, str, str | None]) -> None:
        window = self._windows.pop(key, None)
        if window is None:
            return
        if window.handle is not None:
            window.handle.cancel()
        if window.repeated:
            self._emit(window.first, repeated=window.repeated)

    def _emit(self, refusal: Refused, *, repeated: int) -> None:
        try:
            self.sink(entry(refusal, repeated=repeated))
        except Exception:  # auditing must never break the socket path
            logger.exception("could not record a refused WebSocket")


@dataclass(frozen=True)
class SocketRefusals:
    """One socket's way to report its refusal: the log, and the scope that says where from."""

    log: RefusalLog
    scope: MutableMapping[str, Any]

    def __call__(
        self,
        reason: str,
        close_code: int,
        principal: Principal | None = None,
        *,
        key_refused: KeyRefused | None = None,
    ) -> None:
        self.log.refused(Refused.of(self.scope, reason, close_code, principal, key_refused))


def entry(refusal: Refused, *, repeated: int = 0) -> dict[str, Any]:
    """The audit row: the reason is the resource id (filterable), the close code the status."""
    return {
        "id": new_audit_id(),
        "created_at": utcnow(),
        "team_id": refusal.team_id,
        "actor_type": refusal.actor_type,
        "actor_user_id": refusal.user_id,
        "actor_key_id": refusal.key_id,
        "action": ACTION,
        "resource_type": "websocket",
        "resource_id": refusal.reason[:120],
        "method": METHOD,
        "route": ROUTE,
        "status_code": refusal.close_code,
        "outcome": "denied",
        "ip": refusal.ip,
        "user_agent": refusal.user_agent,
        "request_id": refusal.request_id,
        "changed_fields": [f"repeated:{repeated}"] if repeated else [],
    }
