"""One WebSocket session: sign-in, subscriptions with catch-up, heartbeats, delivery.

A connection outlives the credential check that opened it, so it checks again: at once when
an ``access.changed`` event concerns it (a member removed, a role, key or session changed, in
any API process), and every ``ws_reauth_interval_s`` in case such a signal was missed. Until
a triggered re-check passes, no event is sent. When it fails the client gets ``auth:error``
and the socket closes with a policy code: 4401 when the key or session no longer holds
(revoked, rotated past its grace, signed out, account disabled), 4403 when it lost the team
or ``documents:read``. (1008, the generic policy violation, would not tell the two apart.)
A re-check that passes with other permissions sends ``auth:updated`` with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from folio.auth.addresses import ensure_allowed, note_refusal
from folio.auth.errors import KeyRefused
from folio.auth.resolver import refresh, resolve
from folio.batches.repository import BatchRepository
from folio.core.errors import FolioError, NotFound, Unauthorized
from folio.core.events import Event
from folio.core.permissions import Permission
from folio.core.principal import AUTH_ERROR_KEY, Principal, principal_from_scope, scope_state
from folio.core.runtime import Runtime
from folio.documents.repository import DocumentRepository
from folio.events.service import event as event_service
from folio.realtime.hub import SYSTEM, TEAM, Connection, Hub
from folio.realtime.refusals import SocketRefusals

CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN, CLOSE_TOO_MANY, CLOSE_SLOW = 4401, 4403, 4429, 4008
RECHECK_RETRY_S = 2.0  # after a re-check that could not reach the database
logger = logging.getLogger("folio.realtime")


@dataclass(frozen=True)
class Refusal:
    """Why a connection's credential no longer lets it listen: its close code and message."""

    close_code: int
    code: str
    message: str


class Socket(Protocol):
    """What the service needs of a WebSocket (Starlette's satisfies it)."""

    async def send_json(self, data: Any) -> None: ...

    async def receive_json(self) -> Any: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


def message(kind: str, **payload: Any) -> dict[str, Any]:
    return {"type": kind, "payload": payload}


def event_message(event: Event) -> dict[str, Any]:
    return message("event", **event.model_dump(mode="json"))


class RealtimeService:
    async def authenticate(
        self,
        socket: Socket,
        runtime: Runtime,
        scope: MutableMapping[str, Any],
        token: str | None,
        report: SocketRefusals,
    ) -> Principal | None:
        """Header or ``?token=`` first; else the first message must be ``auth``. A key with an
        IP allow-list is checked against the connection's address whichever way it came."""
        principal = principal_from_scope(scope)
        refused = scope_state(scope).get(AUTH_ERROR_KEY)
        try:
            if isinstance(refused, KeyRefused):
                raise refused
            if principal is None and token:
                principal = await resolve(runtime, token, None)
            if principal is None:
                async with asyncio.timeout(runtime.settings.ws_auth_timeout_s):
                    first = await socket.receive_json()
                if not isinstance(first, dict) or first.get("type") != "auth":
                    raise ValueError("the first message must be auth")
                payload = first.get("payload") or {}
                principal = await resolve(
                    runtime, str(payload.get("token", "")), payload.get("team_id")
                )
            ensure_allowed(principal, scope)
        except (FolioError, ValueError, TimeoutError) as error:
            if isinstance(error, KeyRefused) and error is not refused:
                note_refusal(scope, error)  # the middleware noted the one it refused
            detail = getattr(error, "detail", None) or str(error) or "sign-in timed out"
            code = error.code if isinstance(error, KeyRefused) else "UNAUTHORIZED"
            key_refused = error if isinstance(error, KeyRefused) else None
            report(reason_of(error), CLOSE_UNAUTHORIZED, key_refused=key_refused)
            await socket.send_json(message("auth:error", code=code, message=detail))
            await socket.close(CLOSE_UNAUTHORIZED)
            return None
        return principal

    async def serve(
        self,
        socket: Socket,
        runtime: Runtime,
        hub: Hub,
        principal: Principal,
        report: SocketRefusals,
    ) -> None:
        if not principal.can(Permission.documents_read):
            report(NEEDS_READ.code, NEEDS_READ.close_code, principal)
            await self._refuse(socket, NEEDS_READ)
            return
        try:
            connection = hub.register(principal)
        except FolioError as error:
            report(error.code, CLOSE_TOO_MANY, principal)
            await socket.send_json(message("error", code=error.code, message=error.detail))
            await socket.close(CLOSE_TOO_MANY)
            return
        try:
            await socket.send_json(
                message(
                    "auth:success",
                    user_id=principal.user_id,
                    team_id=principal.team_id,
                    permissions=sorted(principal.permissions),
                    connection_id=connection.id,
                )
            )
            await self._pump(socket, runtime, hub, connection, report)
        finally:
            hub.unregister(connection)

    async def _pump(
        self,
        socket: Socket,
        runtime: Runtime,
        hub: Hub,
        connection: Connection,
        report: SocketRefusals,
    ) -> None:
        watch = asyncio.create_task(self._watch(runtime, hub, connection, socket))
        tasks = {
            asyncio.create_task(self._read(socket, runtime, connection)),
            asyncio.create_task(self._send(socket, connection)),
            asyncio.create_task(connection.overflowed.wait()),
            watch,
        }
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        # retrieved here, or asyncio logs every disconnect as "Task exception was never
        # retrieved"; the caller treats a disconnect as the clean end it is
        errors = [task.exception() for task in done if not task.cancelled()]
        if error := next((e for e in errors if e is not None), None):
            raise error
        if watch in done:  # the sender is stopped: nothing follows the refusal
            refusal = watch.result()
            report(refusal.code, refusal.close_code, connection.principal)
            await self._refuse(socket, refusal)
        elif connection.overflowed.is_set():
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await socket.send_json(
                        message(
                            "error",
                            code="SLOW_CONSUMER",
                            message="Events arrived faster than this client read them.",
                        )
                    )
                    await socket.close(CLOSE_SLOW)

    async def _refuse(self, socket: Socket, refusal: Refusal) -> None:
        with contextlib.suppress(Exception):  # the client may already be gone
            async with asyncio.timeout(2):
                await socket.send_json(
                    message("auth:error", code=refusal.code, message=refusal.message)
                )
                await socket.close(refusal.close_code)

    async def _watch(
        self, runtime: Runtime, hub: Hub, connection: Connection, socket: Socket
    ) -> Refusal:
        """Re-checks the credential when an access change concerns it and periodically;
        returns why it no longer holds."""
        wait_s = self._period(runtime)
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait_s):
                    await connection.stale.wait()
            connection.stale.clear()
            try:
                principal = await refresh(runtime, connection.principal)
            except Unauthorized as error:  # InvalidToken: the key or session ended
                return Refusal(CLOSE_UNAUTHORIZED, "UNAUTHORIZED", error.detail)
            except NotFound:
                return NO_LONGER_MEMBER
            except FolioError as error:
                # the database is unreachable: events stay held back if a change was
                # signalled, and the check is tried again shortly
                logger.warning("WebSocket %s not re-checked: %s", connection.id, error.code)
                wait_s = RECHECK_RETRY_S
                continue
            if not principal.can(Permission.documents_read):
                return NEEDS_READ
            await self._reauthorised(socket, hub, connection, principal)
            wait_s = self._period(runtime)

    def _period(self, runtime: Runtime) -> float:
        # spread so the connections opened together do not all query at the same moment
        return runtime.settings.ws_reauth_interval_s * random.uniform(0.9, 1.0)

    async def _reauthorised(
        self, socket: Socket, hub: Hub, connection: Connection, principal: Principal
    ) -> None:
        changed = principal.permissions != connection.principal.permissions
        hub.reauthorised(connection, principal)
        if changed:
            await socket.send_json(
                message("auth:updated", permissions=sorted(principal.permissions))
            )
        if not connection.stale.is_set():  # else another change came in: check that first
            connection.verified.set()

    async def _send(self, socket: Socket, connection: Connection) -> None:
        while True:
            event = await connection.queue.get()
            await connection.verified.wait()
            # wants() again: it was asked with the permissions held when the event came
            if event.id > connection.replayed_up_to and connection.wants(event):
                await socket.send_json(event_message(event))

    async def _read(self, socket: Socket, runtime: Runtime, connection: Connection) -> None:
        while True:
            try:
                incoming = await socket.receive_json()
            except ValueError:
                await socket.send_json(
                    message("error", code="INVALID_MESSAGE", message="Messages are JSON objects.")
                )
                continue
            kind = incoming.get("type") if isinstance(incoming, dict) else None
            payload = (incoming.get("payload") or {}) if isinstance(incoming, dict) else {}
            if kind == "ping":
                await socket.send_json({"type": "pong", "timestamp": incoming.get("timestamp")})
            elif kind == "subscribe":
                await self._subscribe(socket, runtime, connection, payload)
            elif kind == "unsubscribe":
                connection.channels.discard(str(payload.get("channel")))
                await socket.send_json(message("unsubscribed", channel=payload.get("channel")))
            elif kind != "auth":
                await socket.send_json(
                    message(
                        "error", code="UNKNOWN_MESSAGE", message=f"Unknown message type {kind!r}."
                    )
                )

    async def _subscribe(
        self, socket: Socket, runtime: Runtime, connection: Connection, payload: dict[str, Any]
    ) -> None:
        await connection.verified.wait()  # no catch-up on a credential being re-checked
        channel = str(payload.get("channel", ""))
        if not await self._may_subscribe(runtime, connection.principal, channel):
            await socket.send_json(
                message("error", code="NOT_FOUND", message=f"No channel {channel!r} for you.")
            )
            return
        connection.channels.add(channel)
        await socket.send_json(message("subscribed", channel=channel))
        last_event_id = payload.get("last_event_id")
        if last_event_id:
            await self._catch_up(socket, runtime, connection, channel, str(last_event_id))

    async def _may_subscribe(self, runtime: Runtime, principal: Principal, channel: str) -> bool:
        if channel in (TEAM, SYSTEM):
            return True
        kind, _, resource_id = channel.partition(":")
        found: object | None  # only whether the principal can read it matters
        async with runtime.db.session(write=False) as session:
            if kind == "document":
                found = await DocumentRepository.from_session(session).get(principal, resource_id)
            elif kind == "batch":
                found = await BatchRepository.from_session(session).get(principal, resource_id)
            else:
                found = None
        return found is not None

    async def _catch_up(
        self,
        socket: Socket,
        runtime: Runtime,
        connection: Connection,
        channel: str,
        last_event_id: str,
    ) -> None:
        async with runtime.db.session(write=False) as session:
            missed = await event_service.since(session, connection.principal, last_event_id)
        for event in missed:
            if connection.wants(event) and channel in connection.channels:
                await socket.send_json(event_message(event))
                connection.replayed_up_to = max(connection.replayed_up_to, event.id)


def reason_of(error: Exception) -> str:
    """The audit trail's reason for a failed sign-in (the client is told less)."""
    if isinstance(error, FolioError):
        return error.code
    return "AUTH_TIMEOUT" if isinstance(error, TimeoutError) else "INVALID_AUTH_MESSAGE"


NEEDS_READ = Refusal(CLOSE_FORBIDDEN, "FORBIDDEN", "Needs documents:read.")
NO_LONGER_MEMBER = Refusal(CLOSE_FORBIDDEN, "FORBIDDEN", "No longer a member of this team.")
realtime = RealtimeService()
