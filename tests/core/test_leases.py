"""LeaseQueue on a real SQLite database, with a table of its own: no domain involved."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from folio.core.db import Database, UTCDateTime, utcnow
from folio.core.leases import LeaseQueue, this_host

LEASE = timedelta(minutes=5)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(100))
    expires: Mapped[datetime | None] = mapped_column()
    due: Mapped[datetime | None] = mapped_column()


TASKS = LeaseQueue(
    Task,
    owner=Task.owner,
    expires=Task.expires,
    held=Task.status == "running",
    free=Task.status == "pending",
    on_claim=lambda _now: {"status": "running", "attempts": Task.attempts + 1},
    on_release={"status": "pending"},
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'leases.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with database.session() as session:
        session.add_all(Task(id=f"t{n:02}") for n in range(10))
    yield database
    await database.dispose()


async def claim(db: Database, holder: str, *, limit: int = 10, **options: object) -> list[str]:
    async with db.session() as session:
        return await TASKS.claim(
            session, holder, now=options.pop("now", utcnow()), lease=LEASE, limit=limit, **options
        )


async def rows(db: Database) -> dict[str, Task]:
    async with db.session(write=False) as session:
        return {t.id: t for t in (await session.scalars(select(Task))).all()}


class TestClaim:
    async def test_claims_the_first_rows_in_order_with_a_lease(self, db: Database) -> None:
        assert await claim(db, "a", limit=3) == ["t00", "t01", "t02"]
        first = (await rows(db))["t00"]
        assert (first.status, first.owner, first.attempts) == ("running", "a", 1)
        assert first.expires is not None

    async def test_two_holders_never_get_the_same_row(self, db: Database) -> None:
        claimed = await asyncio.gather(*(claim(db, f"h{n}", limit=3) for n in range(5)))
        every = [task_id for batch in claimed for task_id in batch]
        assert sorted(every) == sorted(set(every)) == [f"t{n:02}" for n in range(10)]
        owners = {t.id: t.owner for t in (await rows(db)).values()}
        assert all(
            owners[task_id] == f"h{n}" for n, batch in enumerate(claimed) for task_id in batch
        )

    async def test_named_rows_are_claimed_only_when_claimable(self, db: Database) -> None:
        assert await claim(db, "a", ids=["t05"]) == ["t05"]
        assert await claim(db, "b", ids=["t05", "t06"]) == ["t06"]

    async def test_a_lapsed_lease_is_reclaimed(self, db: Database) -> None:
        assert await claim(db, "a", ids=["t00"]) == ["t00"]
        assert await claim(db, "b", ids=["t00"]) == []  # a live lease
        later = utcnow() + LEASE + timedelta(seconds=1)
        assert await claim(db, "b", ids=["t00"], now=later) == ["t00"]
        taken = (await rows(db))["t00"]
        assert (taken.owner, taken.attempts) == ("b", 2)

    async def test_extra_conditions_and_due_times_hold_rows_back(self, db: Database) -> None:
        queue = LeaseQueue(Task, expires=Task.expires, held=Task.status == "pending", due=Task.due)
        async with db.session() as session:
            for task in (await session.scalars(select(Task))).all():
                task.due = utcnow() + timedelta(hours=1 if task.id == "t01" else -1)
        async with db.session() as session:
            claimed = await queue.claim(
                session, None, now=utcnow(), lease=LEASE, limit=3, where=[Task.id != "t02"]
            )
        assert claimed == ["t00", "t03", "t04"]  # t01 is not due, t02 excluded
        async with db.session() as session:  # no holder column: the lease alone holds them
            again = await queue.claim(session, None, now=utcnow(), lease=LEASE, limit=10)
        assert "t00" not in again and "t01" not in again and len(again) == 6


class TestRenew:
    async def test_the_holder_extends_its_lease(self, db: Database) -> None:
        await claim(db, "a", ids=["t00", "t01"])
        until = utcnow() + timedelta(hours=1)
        async with db.session() as session:
            assert await TASKS.renew(session, ["t00", "t01", "t02"], "a", until) == {"t00", "t01"}
        assert (await rows(db))["t00"].expires == until

    async def test_renew_by_another_holder_changes_nothing(self, db: Database) -> None:
        await claim(db, "a", ids=["t00"])
        before = (await rows(db))["t00"].expires
        async with db.session() as session:
            assert await TASKS.renew(session, ["t00"], "b", utcnow() + timedelta(hours=1)) == set()
        after = (await rows(db))["t00"]
        assert (after.owner, after.expires) == ("a", before)


class TestRelease:
    async def test_released_rows_are_free_again(self, db: Database) -> None:
        await claim(db, "a", ids=["t00", "t01"])
        await claim(db, "b", ids=["t02"])
        async with db.session() as session:
            assert await TASKS.release(session, {"a"}) == 2
        found = await rows(db)
        assert (found["t00"].status, found["t00"].owner, found["t00"].expires) == (
            "pending",
            None,
            None,
        )
        assert found["t02"].owner == "b"
        assert await claim(db, "c", ids=["t00", "t02"]) == ["t00"]

    async def test_only_lapsed_rows_meeting_the_condition_are_given_back(
        self, db: Database
    ) -> None:
        await claim(db, "a", ids=["t00", "t01", "t02"])
        later = utcnow() + LEASE + timedelta(seconds=1)
        async with db.session() as session:
            assert [t.id for t in await TASKS.lapsed_rows(session, later)] == ["t00", "t01", "t02"]
            assert await TASKS.release_lapsed(session, later, where=[Task.id != "t01"]) == 2
            assert await TASKS.release_lapsed(session, utcnow()) == 0  # t01's lease lives
        assert {t.id for t in (await rows(db)).values() if t.status == "running"} == {"t01"}

    async def test_holders_of_this_process_that_are_gone_are_released(self, db: Database) -> None:
        here = f"{this_host()}:{os.getpid()}"
        await claim(db, f"{here}:live", ids=["t00"])
        await claim(db, f"{here}:gone", ids=["t01"])
        await claim(db, "elsewhere:1:x", ids=["t02"])
        async with db.session() as session:
            released = await TASKS.release_gone(session, {f"{here}:live"}, any_pid=True)
        assert released == 1
        owners = {t.id: t.owner for t in (await rows(db)).values()}
        assert (owners["t00"], owners["t01"], owners["t02"]) == (
            f"{here}:live",
            None,
            "elsewhere:1:x",
        )
