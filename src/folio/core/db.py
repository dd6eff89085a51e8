"""Engine and sessions for SQLite (embedded, WAL) and PostgreSQL (scale-out)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVarTuple, cast

import orjson
from sqlalchemy import DateTime, Enum, MetaData, event, exc, text
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from folio.core.errors import FolioError
from folio.core.sqlite_inline import LoopThreadConnection, ReadSnapshots, loop_thread_connector

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "folio_write"
AFTER_COMMIT = "folio_after_commit"
AFTER_ROLLBACK = "folio_after_rollback"
SNAPSHOTS = "folio_read_snapshots"  # a read session's ReadSnapshots (SQLite)
SNAPSHOT = "folio_read_snapshot"  # the sqlite3 connection its prepared reads took

READ_BUSY_TIMEOUT_S = 2.0  # a WAL reader waits only while a crashed writer's log is recovered

AfterCommit = Callable[[], Awaitable[None]]
CommitHook = Callable[[AsyncSession], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` after the owner of ``session`` commits (dropped on rollback)."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def after_rollback(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` after the owner of ``session`` rolled back: for facts that must
    outlive the failing request (a failed sign-in, a reused token), which the callback writes
    through :meth:`Database.independent`."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(callback)


async def one_writer_at_a_time(session: AsyncSession, name: str) -> None:
    """Until ``session``'s unit of work ends, other units that call this with ``name`` wait:
    a check-then-insert (is this the first admin?) cannot run twice at once. On PostgreSQL it
    is a transaction-level advisory lock; a SQLite write unit already holds the database's only
    write lock (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


Row = TypeVarTuple("Row")


def rowcount(result: Result[*Row]) -> int:
    """The rows an UPDATE, DELETE or INSERT matched: ``Session.execute`` is typed to return a
    ``Result``, but for those statements it is a ``CursorResult``, the type with ``rowcount``."""
    return cast(CursorResult[*Row], result).rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns aware datetimes (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":  # SQLAlchemy's regex parse was most of a row's decoding
            return _sqlite_utc_datetime
        return super().result_processor(dialect, coltype)


def _sqlite_utc_datetime(value: str | None) -> datetime | None:
    """SQLite keeps these as ISO text in UTC, without a zone."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value + "+00:00")  # ~8x faster than .replace(tzinfo=UTC)
    except ValueError:  # text that carries its own offset
        return datetime.fromisoformat(value)


def str_enum(enum: type[StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its plain value in a VARCHAR (no native enum, easy to extend)."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        create_constraint=False,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class DatabaseUnavailable(FolioError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "The database is unavailable"


def is_connection_error(error: BaseException) -> bool:
    """A lost or refused database connection, as opposed to a bad statement or data."""
    if isinstance(error, exc.DBAPIError):
        if "readonly database" in str(error.orig):
            return False  # a write in a read session: a bug to see, not an outage
        return error.connection_invalidated or isinstance(
            error, exc.OperationalError | exc.InterfaceError
        )
    # a pool that cannot hand out a connection, a refused or reset socket, a connect timeout
    return isinstance(error, exc.TimeoutError | ConnectionError | TimeoutError)


def load_json(text: str | bytes) -> Any:
    """JSON columns as Python values: orjson, ~4x faster than json (JSON decoding was ~8% of
    the CPU of mixed status reads); json for what json.dumps writes and orjson refuses
    (NaN, Infinity, integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_engine(
    url: str, *, echo: bool = False, pool_size: int = 10, connect_timeout_s: float = 5.0
) -> AsyncEngine:
    if url.startswith("sqlite"):
        # a SQLite connection is a file handle and a thread: keep enough of them pooled that
        # concurrent requests never open (and close) one each, which cost a thread start
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=max(pool_size, 20),
            max_overflow=2 * pool_size,
            connect_args={"timeout": 30},
            json_deserializer=load_json,
        )
        _install_sqlite_hooks(engine)
        return engine
    # pre-ping replaces connections the server dropped (restart, failover, pg_terminate_backend)
    return create_async_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=2 * pool_size,
        pool_timeout=connect_timeout_s,
        pool_recycle=1800,
        connect_args={"timeout": connect_timeout_s},
        json_deserializer=load_json,
    )


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and transactions that SQLAlchemy controls.

    pysqlite's own BEGIN handling defeats savepoints and rollbacks (SQLAlchemy SQLite dialect
    docs, "Serializable isolation / Savepoints"), so we disable it and emit BEGIN ourselves.
    Write sessions BEGIN IMMEDIATE: a deferred transaction that upgrades to a write after
    another connection committed fails at once with SQLITE_BUSY instead of waiting.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_sqlite_read_engine(url: str, *, pool_size: int) -> AsyncEngine:
    """Read-only connections that run on the event loop thread (core/sqlite_inline.py)."""
    path = make_url(url).database
    if not path or path == ":memory:":
        raise ValueError("an in-memory database has no second connection to read through")
    engine = create_async_engine(
        url,
        async_creator=loop_thread_connector(path, busy_timeout_s=READ_BUSY_TIMEOUT_S),
        pool_size=pool_size,
        max_overflow=-1,  # a connection here is a file handle, not a thread
        json_deserializer=load_json,
    )

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # the driver's connection is what async_creator made; SQLAlchemy types it as Any | None
        driver = cast(LoopThreadConnection, connection.connection.driver_connection)
        driver.begin_now()  # one snapshot per unit of work

    return engine


async def _run_callbacks(session: AsyncSession, key: str) -> None:
    for callback in session.info.pop(key, []):
        await callback()


class Database:
    """Owns the engines and hands out read and write sessions.

    On SQLite, read sessions use their own engine whose connections run on the event loop
    thread; writes keep aiosqlite's thread per connection, since a write may wait for the lock.
    """

    def __init__(self, url: str, *, pool_size: int = 10, connect_timeout_s: float = 5.0) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size, connect_timeout_s=connect_timeout_s)
        readers = max(pool_size, 20)
        self.read_engine = (
            create_sqlite_read_engine(url, pool_size=readers) if self.is_sqlite else self.engine
        )
        self.read_snapshots = (
            ReadSnapshots(
                make_url(url).database or "", busy_timeout_s=READ_BUSY_TIMEOUT_S, keep=readers
            )
            if self.is_sqlite
            else None
        )
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self._commit_hooks: list[CommitHook] = []

    def on_every_commit(self, hook: CommitHook) -> None:
        """Run ``hook`` after each committed write unit of work, before its own callbacks:
        for what the process wires once (publishing noted access changes on the bus)."""
        self._commit_hooks.append(hook)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block ends, rolls back if it raised.

        Callbacks registered with :func:`after_commit` run once the commit succeeded. A lost
        database connection surfaces as :class:`DatabaseUnavailable` (503); the pool's
        pre-ping gives the next unit of work a fresh connection.
        """
        unit = self._write_unit() if write else self._read_unit()
        try:
            async with unit as session:
                yield session
        except Exception as error:
            if not isinstance(error, FolioError) and is_connection_error(error):
                detail = "The database cannot be reached; retry shortly."
                raise DatabaseUnavailable(detail) from error
            raise

    @asynccontextmanager
    async def independent(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work apart from the request's: it commits on its own, on purpose.

        The one way for code that runs for a request to write outside the request's session
        (``DbSession``), for a side effect that must not share the request's fate: a download
        counted on a read-only GET, a failed sign-in or a leaked token recorded although the
        request is refused, a credential's last use noted before the request's session
        exists. Register it with :func:`after_commit` or :func:`after_rollback` so that it
        runs once the request's own unit of work has ended, never beside it. Work that belongs
        to the request takes the request's session instead, and commits or rolls back with it.
        """
        async with self.session() as session:
            yield session

    @asynccontextmanager
    async def _write_unit(self) -> AsyncIterator[AsyncSession]:
        async with self._write() as session:
            try:
                async with session.begin():  # at once: SQLite takes the write lock here
                    yield session
            except BaseException:
                await _run_callbacks(session, AFTER_ROLLBACK)
                raise
        for hook in self._commit_hooks:
            await hook(session)
        await _run_callbacks(session, AFTER_COMMIT)

    @asynccontextmanager
    async def _read_unit(self) -> AsyncIterator[AsyncSession]:
        """Begins only when a statement goes through SQLAlchemy: a read served by prepared
        reads alone (most GETs on SQLite) costs no greenlet switches to begin, commit and
        close a transaction that never ran (issue 8)."""
        session = self._read()
        snapshots = self.read_snapshots
        if snapshots is not None:
            session.info[SNAPSHOTS] = snapshots
        try:
            yield session
            if session.in_transaction() or session.new or session.deleted:
                await session.commit()
                await session.close()  # as a write session: loaded objects end detached
        except BaseException:
            await asyncio.shield(session.close())  # rolls back and returns the connection
            await _run_callbacks(session, AFTER_ROLLBACK)
            raise
        finally:
            if (snapshot := session.info.pop(SNAPSHOT, None)) is not None:
                assert snapshots is not None  # a snapshot is only taken from them
                snapshots.give_back(snapshot)
        await _run_callbacks(session, AFTER_COMMIT)

    async def dispose(self) -> None:
        if self.read_snapshots is not None:
            self.read_snapshots.close()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        await self.engine.dispose()
