"""SQLite connections for short reads that run on the event loop's own thread.

aiosqlite gives each connection a thread and hands every call to it: a queue put, a thread
wake-up, a ``call_soon_threadsafe`` back, and under load a wait for the GIL on each side. For
the indexed single-row reads behind most GETs that hand-off costs more than the query.

These connections run each call where it is made. That is safe only for reads: in WAL mode a
reader never waits for a lock, so it cannot block the loop while a writer's coroutine needs
the loop to finish. ``PRAGMA query_only`` makes a write through one of them fail at once
instead of waiting on the write lock with the loop stopped.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import aiosqlite


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: runs each call as it is put."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as the thread does
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class LoopThreadConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]  # stands in for aiosqlite's queue

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def begin_now(self) -> None:
        """``BEGIN`` on sqlite3 directly: the call needs no hand-off, and a statement through
        SQLAlchemy's execution path costs as much as the read it precedes."""
        assert self._connection is not None, "connection closed"
        self._connection.execute("BEGIN")

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start


def loop_thread_connector(
    path: str, *, busy_timeout_s: float
) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An ``async_creator`` for SQLAlchemy: read-only connections to the database at ``path``."""

    async def connect() -> aiosqlite.Connection:
        def open_read_only() -> sqlite3.Connection:
            connection = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
            connection.execute("PRAGMA query_only=ON")
            return connection

        return await LoopThreadConnection(open_read_only)

    return connect


class ReadSnapshots:
    """Plain sqlite3 read-only connections for :class:`folio.core.prepared.PreparedSelect`,
    run on the loop thread like the connections above but outside SQLAlchemy's pool: a
    checkout, ``BEGIN`` and the commit through the pool and the session cost ~0.3 ms, more
    than a status read's query. One is taken per unit of work, at its first prepared read,
    and handed back (its transaction ended) when the unit of work ends."""

    def __init__(self, path: str, *, busy_timeout_s: float, keep: int) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.keep = keep
        self._idle: list[sqlite3.Connection] = []

    def take(self) -> sqlite3.Connection:
        connection = self._idle.pop() if self._idle else self._open()
        connection.execute("BEGIN")  # one snapshot for the unit of work's reads
        return connection

    def give_back(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("COMMIT")
        except sqlite3.Error:
            connection.close()
            return
        if len(self._idle) < self.keep:
            self._idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()

    def _open(self) -> sqlite3.Connection:
        # used on the loop thread only; closed by dispose, which may run on another thread
        connection = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA query_only=ON")
        return connection
