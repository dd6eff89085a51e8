"""SQLite read sessions on the event loop thread (core/sqlite_inline.py), on a real file."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import JSON, column, event, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from folio.core.db import Database, after_commit, after_rollback
from folio.core.sqlite_inline import LoopThreadConnection


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'folio.db'}")
    async with database.session() as session:
        await session.execute(text("CREATE TABLE notes (body TEXT)"))
        await session.execute(text("INSERT INTO notes VALUES ('first')"))
    yield database
    await database.dispose()


async def count(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT count(*) FROM notes"))).scalar_one())


async def test_reads_start_no_thread(db: Database) -> None:
    async with db.session(write=False) as session:
        await count(session)  # the pool's first connection
        raw = await session.connection()
        driver = (await raw.get_raw_connection()).driver_connection
    threads = threading.active_count()
    for _ in range(20):
        async with db.session(write=False) as session:
            assert await count(session) == 1

    assert isinstance(driver, LoopThreadConnection)
    assert threading.active_count() == threads


async def test_a_read_sees_one_snapshot_and_the_next_read_the_commit(db: Database) -> None:
    async with db.session(write=False) as reader:
        before = await count(reader)
        async with db.session() as writer:
            await writer.execute(text("INSERT INTO notes VALUES ('second')"))
        during = await count(reader)
    async with db.session(write=False) as reader:
        after = await count(reader)

    assert (before, during, after) == (1, 1, 2)


async def test_reads_go_on_while_a_writer_holds_the_lock(db: Database) -> None:
    async with db.session() as writer:
        await writer.execute(text("INSERT INTO notes VALUES ('uncommitted')"))
        started = time.monotonic()
        async with db.session(write=False) as reader:
            seen = await count(reader)
        waited = time.monotonic() - started

    assert seen == 1 and waited < 0.5


async def test_a_write_through_a_read_session_fails_at_once(db: Database) -> None:
    async with db.session() as writer:
        await writer.execute(text("INSERT INTO notes VALUES ('holding the lock')"))
        started = time.monotonic()
        with pytest.raises(Exception, match="readonly"):
            async with db.session(write=False) as reader:
                await reader.execute(text("INSERT INTO notes VALUES ('sneaked')"))
        waited = time.monotonic() - started

    assert waited < 0.5  # refused, not queued behind the writer with the loop stopped
    async with db.session(write=False) as reader:
        assert await count(reader) == 2


async def test_json_columns_read_back_what_json_dumps_wrote(db: Database) -> None:
    """orjson decodes them; what it refuses and json.dumps writes (NaN, Infinity, integers
    beyond 64 bits) is decoded by json instead of failing the read."""
    values = [{"a": [1, 2.5, "é"], "b": None}, {"nan": float("nan"), "inf": float("inf")}, 2**70]
    async with db.session() as session:
        await session.execute(text("CREATE TABLE docs (id INTEGER, body JSON)"))
        for index, value in enumerate(values):
            await session.execute(
                text("INSERT INTO docs VALUES (:id, :body)"),
                {"id": index, "body": json.dumps(value)},
            )
    statement = select(column("body", JSON)).select_from(table("docs")).order_by(text("id"))
    async with db.session(write=False) as session:
        plain, special, big = (await session.execute(statement)).scalars().all()

    assert plain == values[0]
    assert math.isnan(special["nan"]) and special["inf"] == float("inf")
    assert big == 2**70


async def test_a_read_begins_a_transaction_only_for_a_statement_and_returns_it(
    db: Database,
) -> None:
    """A GET served by prepared reads alone never starts an ORM transaction (each start,
    commit and close is a greenlet switch), and a read that ran a statement ends it."""
    transactions: list[object] = []

    def created(session: Session, transaction: object) -> None:
        if transaction is session.get_transaction():  # the outermost one
            transactions.append(transaction)

    committed: list[str] = []
    event.listen(Session, "after_transaction_create", created)
    try:
        async with db.session(write=False) as session:
            after_commit(session, _note(committed, "idle"))
        assert transactions == [] and committed == ["idle"]

        async with db.session(write=False) as session:
            assert await count(session) == 1
            after_commit(session, _note(committed, "read"))
    finally:
        event.remove(Session, "after_transaction_create", created)
    assert len(transactions) == 1 and committed == ["idle", "read"]
    assert not session.in_transaction()
    assert db.read_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_failed_read_rolls_back_and_returns_its_connection(db: Database) -> None:
    pool = db.read_engine.sync_engine.pool
    outcomes: list[str] = []
    with pytest.raises(RuntimeError):
        async with db.session(write=False) as session:
            await count(session)
            after_commit(session, _note(outcomes, "committed"))
            after_rollback(session, _note(outcomes, "rolled back"))
            raise RuntimeError("the request failed")

    assert outcomes == ["rolled back"]
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


def _note(seen: list[str], what: str) -> Callable[[], Awaitable[None]]:
    async def callback() -> None:
        seen.append(what)

    return callback


async def test_an_independent_write_outlives_the_failed_unit_that_asked_for_it(
    db: Database,
) -> None:
    async def note_the_failure() -> None:
        async with db.independent() as own:
            await own.execute(text("INSERT INTO notes VALUES ('a failed attempt')"))

    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await session.execute(text("INSERT INTO notes VALUES ('the request')"))
            after_rollback(session, note_the_failure)
            raise RuntimeError("refused")

    async with db.session(write=False) as reader:
        bodies = (await reader.execute(text("SELECT body FROM notes"))).scalars().all()
    assert bodies == ["first", "a failed attempt"]
