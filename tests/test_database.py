"""SQLite read sessions on the event loop thread (core/sqlite_inline.py), on a real file."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import JSON, column, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import Database
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
