"""Resolved principals kept for a few seconds, so a request does not repeat the five queries
that turn a credential into a :class:`Principal` (measured: more than half the server time of
an authenticated GET under load, ``bench/load_api.py``).

Correctness within this process: any change to a table the resolution reads (keys, sessions,
users, teams, memberships, roles, role assignments), flushed or bulk-updated through the ORM,
bumps a generation counter, and an entry made under an older generation is never used. An
entry also never outlives the first moment the resolution itself would answer differently
on its own: the key's expiry or grace end, a role assignment's expiry, the token's ``exp``.
Across API processes (scale-out) every ``access.changed`` event on the bus (a disabled user,
a revoked key or session, a changed membership) empties the cache of each process that runs an
:class:`AccessWatcher`, so a disabled account is refused at its next request everywhere;
other changes reach the others within ``auth_cache_ttl_s``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from folio.auth.models import AuthSession
from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.events import ACCESS_CHANGED, EventBus
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.keys.models import ApiKey
from folio.teams.models import Membership, Role, RoleAssignment, Team
from folio.teams.repository import TeamRepository
from folio.users.models import User

IDENTITY_MODELS = (ApiKey, AuthSession, User, Team, Membership, Role, RoleAssignment)
MAX_ENTRIES = 10_000
CHANGED = "folio_identity_changed"
Resolve = Callable[[Runtime, str, str | None], Awaitable[Principal]]


class _Generation:
    value = 0

    @classmethod
    def bump(cls) -> None:
        cls.value += 1


def _touches_identity(objects: Any) -> bool:
    return any(isinstance(obj, IDENTITY_MODELS) for obj in objects)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if (
        _touches_identity(session.new)
        or _touches_identity(session.dirty)
        or _touches_identity(session.deleted)
    ):
        session.info[CHANGED] = True
        _Generation.bump()


@event.listens_for(Session, "do_orm_execute")
def _on_bulk_write(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, IDENTITY_MODELS):
        state.session.info[CHANGED] = True
        _Generation.bump()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # again at commit: a resolution that read the old rows after the flush must not be kept
    if session.info.pop(CHANGED, False):
        _Generation.bump()


class AccessWatcher:
    """Forgets every cached principal of this process when any process announces an access
    change (the bus carries it from the process that committed it to all others)."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="folio-access-watcher")

    async def _run(self) -> None:
        async with self._bus.subscribe(maxsize=10_000) as queue:
            self.subscribed.set()
            # the next event or the stop, whichever comes first: a stop does not wait out a poll
            stopping = asyncio.ensure_future(self._stopping.wait())
            try:
                while True:
                    getting = asyncio.ensure_future(queue.get())
                    await asyncio.wait((getting, stopping), return_when=asyncio.FIRST_COMPLETED)
                    if not getting.done():
                        getting.cancel()
                        return
                    if getting.result().type == ACCESS_CHANGED or queue.full():
                        _Generation.bump()  # a full queue may have dropped one: forget all
            finally:
                stopping.cancel()

    async def stop(self) -> None:
        self._stopping.set()
        await stop_task(self._task)


@dataclass(frozen=True)
class Entry:
    principal: Principal
    generation: int
    expires_at: float  # time.monotonic()


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, unverified: only used to shorten an entry's life (the
    signature was checked when the entry was made)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None


class PrincipalCache:
    def __init__(self, resolve: Resolve) -> None:
        self._resolve = resolve
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        # one resolution per credential at a time: when an entry lapses under load, every
        # request in flight with that credential would otherwise run the five queries at once
        self._resolving: dict[bytes, asyncio.Future[Principal]] = {}

    async def resolve(
        self, runtime: Runtime, credential: str, team_header: str | None
    ) -> Principal:
        ttl = runtime.settings.auth_cache_ttl_s
        if ttl <= 0:
            return await self._resolve(runtime, credential, team_header)
        key = hashlib.sha256(f"{team_header or ''}\0{credential}".encode()).digest()
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry.generation == _Generation.value and now < entry.expires_at:
            return entry.principal
        pending = self._resolving.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise
                # the request that was resolving it went away: resolve here instead
        pending = asyncio.get_running_loop().create_future()
        self._resolving[key] = pending
        try:
            principal = await self._resolve_and_store(
                runtime, key, credential, team_header, now + ttl
            )
        except Exception as error:
            pending.set_exception(error)
            pending.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        except BaseException:
            pending.cancel()
            raise
        else:
            pending.set_result(principal)
            return principal
        finally:
            if self._resolving.get(key) is pending:
                del self._resolving[key]

    async def _resolve_and_store(
        self, runtime: Runtime, key: bytes, credential: str, team_header: str | None, limit: float
    ) -> Principal:
        generation = _Generation.value
        principal = await self._resolve(runtime, credential, team_header)
        expires_at = await self._expiry(runtime, principal, credential, limit)
        if generation == _Generation.value:
            self._store(key, Entry(principal, generation, expires_at))
        return principal

    def _store(self, key: bytes, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    async def _expiry(
        self, runtime: Runtime, principal: Principal, credential: str, limit: float
    ) -> float:
        """``limit``, or earlier if a time-bound part of the answer ends before it."""
        now_wall, now_mono = time.time(), time.monotonic()
        ends: list[float] = []
        if principal.key_id is None:
            exp = token_expiry(credential)
            if exp is not None:
                ends.append(exp)
        async with runtime.db.session(write=False) as session:
            if principal.key_id is not None:
                key = await session.get(ApiKey, principal.key_id)
                if key is not None:
                    ends += [_ts(key.expires_at), _ts(key.grace_until)]
            if principal.user_id is not None:
                assignments = await TeamRepository.from_session(session).active_assignments(
                    principal.team_id, principal.user_id, utcnow()
                )
                ends += [_ts(assignment.expires_at) for assignment in assignments]
        earliest = min((end for end in ends if end > 0), default=None)
        if earliest is None:
            return limit
        return min(limit, now_mono + (earliest - now_wall))


def _ts(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0
