"""Prepared status reads (core/prepared.py) on a real SQLite file: the same rows as SQLAlchemy's
own execution, one snapshot per unit of work, and the connection handed back at its end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
)

from folio.core.db import Database, UTCDateTime, str_enum
from folio.core.prepared import PreparedSelect


class Colour(StrEnum):
    red = "red"
    blue = "blue"


# its own metadata: the application's tables never include it
SAMPLES = Table(
    "prepared_samples",
    MetaData(),
    Column("id", String(10), primary_key=True),
    Column("team_id", String(10)),
    Column("colour", str_enum(Colour)),
    Column("stages", JSON),
    Column("done", Boolean),
    Column("seen_at", UTCDateTime()),
    Column("size", Integer),
)
BY_TEAMS = (
    select(*SAMPLES.c)
    .where(SAMPLES.c.team_id.in_(bindparam("team_ids", expanding=True)))
    .order_by(SAMPLES.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
PREPARED = PreparedSelect(BY_TEAMS)
MOMENT = datetime(2026, 12, 3, 6, 59, 0, 994755, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'folio.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(SAMPLES.create)
    async with database.session() as session:
        await session.execute(
            insert(SAMPLES),
            [
                dict(
                    id=f"s{i}",
                    team_id="t1" if i % 2 else "t2",
                    colour=Colour.blue if i % 3 else Colour.red,
                    stages=[{"name": "upload", "n": i}],
                    done=None if i == 0 else bool(i % 2),
                    seen_at=None if i == 1 else MOMENT + timedelta(hours=i),
                    size=i * 10,
                )
                for i in range(6)
            ],
        )
    yield database
    await database.dispose()


async def rows_both_ways(db: Database, **parameters: Any) -> tuple[list[Any], list[Any]]:
    async with db.session(write=False) as session:
        prepared = list(await PREPARED.all(session, **parameters))
    async with db.session(write=False) as session:
        executed = list((await session.execute(BY_TEAMS, parameters)).all())
    return prepared, executed


@pytest.mark.parametrize("team_ids", [["t1"], ["t1", "t2"], ["nobody"]])
async def test_rows_equal_those_of_sqlalchemy(db: Database, team_ids: list[str]) -> None:
    prepared, executed = await rows_both_ways(db, team_ids=team_ids, limit=10)

    assert [tuple(row) for row in prepared] == [tuple(row) for row in executed]
    assert len(prepared) == {"t1": 3, "t1,t2": 6, "nobody": 0}[",".join(team_ids)]
    for row in prepared:
        assert row._fields == tuple(SAMPLES.c.keys())
        assert isinstance(row.colour, Colour)
        assert row.seen_at is None or row.seen_at.tzinfo is not None


async def test_the_fast_path_runs_in_read_sessions_only(db: Database) -> None:
    async with db.session(write=False) as session:
        (row,) = await PREPARED.all(session, team_ids=["t1"], limit=1)
    assert type(row).__name__ == "PreparedRow"
    async with db.session() as session:  # a write session's connection is on its own thread
        (row,) = await PREPARED.all(session, team_ids=["t1"], limit=1)
    assert type(row).__name__ == "Row"


async def test_one_snapshot_per_unit_of_work_and_the_next_sees_the_commit(db: Database) -> None:
    async with db.session(write=False) as reader:
        before = await PREPARED.all(reader, team_ids=["t1"], limit=10)
        async with db.session() as writer:
            await writer.execute(text("DELETE FROM prepared_samples WHERE team_id = 't1'"))
        during = await PREPARED.all(reader, team_ids=["t1"], limit=10)
    async with db.session(write=False) as reader:
        after = await PREPARED.all(reader, team_ids=["t1"], limit=10)

    assert (len(before), len(during), len(after)) == (3, 3, 0)


async def test_the_connection_is_handed_back_with_its_transaction_ended(db: Database) -> None:
    snapshots = db.read_snapshots
    assert snapshots is not None
    for _ in range(5):
        async with db.session(write=False) as session:
            await PREPARED.first(session, team_ids=["t1"], limit=1)
    assert len(snapshots._idle) == 1
    assert not snapshots._idle[0].in_transaction
    with pytest.raises(RuntimeError):
        async with db.session(write=False) as session:
            await PREPARED.first(session, team_ids=["t1"], limit=1)
            raise RuntimeError("the request failed")
    assert len(snapshots._idle) == 1 and not snapshots._idle[0].in_transaction


async def test_datetimes_read_back_aware_in_utc_whatever_text_sqlite_holds(db: Database) -> None:
    async with db.session() as session:
        await session.execute(
            text(
                "UPDATE prepared_samples SET seen_at = CASE id "
                "WHEN 's2' THEN '2026-12-03 06:59:00' "
                "WHEN 's4' THEN '2026-12-03T08:59:00+02:00' ELSE seen_at END"
            )
        )
    async with db.session(write=False) as session:
        rows = {row.id: row for row in await PREPARED.all(session, team_ids=["t2"], limit=10)}
        executed = (await session.execute(select(SAMPLES).where(SAMPLES.c.id == "s2"))).one()

    assert rows["s2"].seen_at == datetime(2026, 12, 3, 6, 59, tzinfo=UTC)
    assert rows["s4"].seen_at == datetime(2026, 12, 3, 6, 59, tzinfo=UTC)
    assert rows["s0"].seen_at == MOMENT
    assert executed.seen_at == rows["s2"].seen_at and executed.seen_at.tzinfo is not None
