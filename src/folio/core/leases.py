"""Leased work: rows of a table that processes claim for a while, renew while they work on
them, give back, and take over from a process that stopped renewing.

:class:`LeaseQueue` writes that SQL once for every such table (jobs, crawl chunks, dataset
builds, webhook deliveries); it is configured with the table's columns and conditions and
imports no domain. A claim ends in ``UPDATE … WHERE id IN (…) AND <claimable> RETURNING id``:
the database re-checks the condition on every row it changes, so two holders never get the
same row (SQLite has one writer; PostgreSQL re-evaluates the WHERE on a row another
transaction changed). A claim of the next rows first locks its candidates with ``FOR UPDATE
SKIP LOCKED`` (PostgreSQL), so concurrent claims take different rows instead of colliding;
not in a subquery of the UPDATE, where PostgreSQL may run it again and exceed the limit.

Lease holders are named ``host:pid:nonce``. The name tells a process which leases of its own
host belong to a holder that is gone, so it can take them back at once instead of waiting
for them to lapse.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, false, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from folio.core.db import rowcount

RowT = TypeVar("RowT")
NO_CHANGES: Mapping[str, Any] = {}


def _nothing(_now: datetime) -> Mapping[str, Any]:
    return NO_CHANGES


class LeaseQueue(Generic[RowT]):
    """The claimable rows of ``model``.

    - ``held``: the row is taken (running, building …); its lease says until when.
    - ``free``: the row waits and may be claimed whatever its lease (pending, queued); None
      when only a lapsed lease frees a row (a webhook delivery stays pending while sent).
    - ``due``: a row is claimable only once this time has come (None: at once).
    - ``unleased_lapses``: a held row with no lease counts as lapsed (False for jobs, whose
      embedded executor runs them without a lease).
    - ``on_claim(now)`` / ``on_release``: what a claim / a release writes besides holder and
      lease (status, attempts, timestamps …).
    """

    def __init__(
        self,
        model: type[RowT],
        *,
        expires: InstrumentedAttribute[datetime | None],
        held: ColumnElement[bool],
        free: ColumnElement[bool] | None = None,
        owner: InstrumentedAttribute[str | None] | None = None,
        due: InstrumentedAttribute[datetime | None] | None = None,
        order_by: Sequence[Any] = (),
        on_claim: Callable[[datetime], Mapping[str, Any]] = _nothing,
        on_release: Mapping[str, Any] = NO_CHANGES,
        unleased_lapses: bool = True,
    ) -> None:
        self.model = model
        self.key = getattr(model, inspect(model).primary_key[0].key)
        self.expires, self.owner, self.due = expires, owner, due
        self.held, self.free = held, free if free is not None else false()
        self.order_by = tuple(order_by) or (self.key,)
        self.on_claim, self.on_release = on_claim, on_release
        self.unleased_lapses = unleased_lapses

    # ---- conditions -------------------------------------------------------------------

    def lapsed(self, now: datetime) -> ColumnElement[bool]:
        expired = self.expires < now
        if self.unleased_lapses:
            expired = or_(self.expires.is_(None), expired)
        return and_(self.held, expired)

    def claimable(self, now: datetime) -> ColumnElement[bool]:
        claimable = or_(self.free, self.lapsed(now))
        return claimable if self.due is None else and_(claimable, self.due <= now)

    def held_by(self, holder: str) -> ColumnElement[bool]:
        return and_(self.held, self._owner() == holder)

    # ---- statements -------------------------------------------------------------------

    async def claim(
        self,
        session: AsyncSession,
        holder: str | None,
        *,
        now: datetime,
        lease: timedelta | None,
        limit: int = 1,
        ids: Collection[str] | None = None,
        where: Iterable[ColumnElement[bool]] = (),
    ) -> list[str]:
        """Claims the claimable rows among ``ids`` (else the first ``limit`` in order) that
        also meet ``where``, for ``holder`` until ``now + lease`` (None: no lease). Returns
        the ids claimed, in order."""
        if limit <= 0 or (ids is not None and not ids):
            return []
        conditions = [self.claimable(now), *where]
        if ids is None:  # the first rows no other claim has locked (PostgreSQL) meanwhile
            candidates = (
                select(self.key)
                .where(*conditions)
                .order_by(*self.order_by)
                .limit(limit)
                .with_for_update(skip_locked=True, of=self.model)
            )
            ids = (await session.scalars(candidates)).all()
            if not ids:
                return []
        values = {**self.on_claim(now), self.expires.key: None if lease is None else now + lease}
        if self.owner is not None:
            values[self.owner.key] = holder
        statement = (
            update(self.model)
            .where(self.key.in_(list(ids)), *conditions)
            .values(values)
            .returning(self.key)
            .execution_options(synchronize_session=False)
        )
        claimed = set((await session.scalars(statement)).all())
        return [i for i in ids if i in claimed]

    async def renew(
        self, session: AsyncSession, ids: Collection[str], holder: str, until: datetime
    ) -> set[str]:
        """Extends ``holder``'s leases of ``ids``; returns those still its own (a row another
        holder took over, or that ended, is left alone)."""
        if not ids:
            return set()
        statement = (
            update(self.model)
            .where(self.key.in_(list(ids)), self.held_by(holder))
            .values({self.expires.key: until})
            .returning(self.key)
            .execution_options(synchronize_session=False)
        )
        return set((await session.scalars(statement)).all())

    async def release(self, session: AsyncSession, holders: Collection[str]) -> int:
        """Rows held by these (stopped or gone) holders become claimable again at once."""
        if not holders:
            return 0
        return await self._release(session, self.held, self._owner().in_(list(holders)))

    async def release_lapsed(
        self, session: AsyncSession, now: datetime, *, where: Iterable[ColumnElement[bool]] = ()
    ) -> int:
        """Rows whose lease lapsed (and that meet ``where``) are given back."""
        return await self._release(session, self.lapsed(now), *where)

    async def _release(self, session: AsyncSession, *conditions: ColumnElement[bool]) -> int:
        values = {**self.on_release, self.expires.key: None}
        if self.owner is not None:
            values[self.owner.key] = None
        result = await session.execute(
            update(self.model)
            .where(*conditions)
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def lapsed_rows(self, session: AsyncSession, now: datetime) -> Sequence[RowT]:
        """Locked (PostgreSQL): a holder claiming one of them at the same moment waits for
        the caller's decision, then re-checks the row and skips it."""
        statement = select(self.model).where(self.lapsed(now)).with_for_update()
        return (await session.scalars(statement)).all()

    async def holders_on_this_host(self, session: AsyncSession) -> set[str]:
        statement = select(self._owner()).where(
            self.held, self._owner().startswith(this_host() + ":")
        )
        return {o for o in (await session.scalars(statement.distinct())).all() if o}

    async def release_gone(self, session: AsyncSession, live: set[str], *, any_pid: bool) -> int:
        """Gives back, without waiting for their leases to lapse, the rows of holders of this
        host that are gone (see :func:`gone_holders`)."""
        owners = await self.holders_on_this_host(session)
        return await self.release(session, gone_holders(owners, live, any_pid=any_pid))

    def _owner(self) -> InstrumentedAttribute[str | None]:
        if self.owner is None:
            raise TypeError(f"{self.model.__name__} leases record no holder")
        return self.owner


def this_host() -> str:
    return socket.gethostname()[:60]


def holder_name() -> str:
    """Unique per holder (a crawl supervisor, a dataset build)."""
    return f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def gone_holders(owners: Iterable[str], live: set[str], *, any_pid: bool) -> set[str]:
    """Of ``owners`` on this host: holders of this process not in ``live`` and, with
    ``any_pid``, holders of processes that exited. Only SQLite (one machine) may use
    ``any_pid``: on PostgreSQL processes of other pid namespaces may share the host name."""
    return {owner for owner in owners if _is_gone(owner, live, any_pid=any_pid)}


def _is_gone(owner: str, live: set[str], *, any_pid: bool) -> bool:
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != this_host() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return owner not in live
    return any_pid and _process_exited(int(pid))


def _process_exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
