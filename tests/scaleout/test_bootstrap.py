"""Several API processes starting on one empty PostgreSQL database: one first admin."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from folio.auth.bootstrap import InitialCredentials, bootstrap_admin
from folio.config import Settings
from folio.core.db import Database
from tests.scaleout.stack import Stack

STARTING_PROCESSES = 3


@pytest.fixture
def empty_stack(scaleout_stack: Stack) -> Iterator[Stack]:
    scaleout_stack.reset()
    yield scaleout_stack
    scaleout_stack.reset()


async def start_one(url: str) -> InitialCredentials | None:
    database = Database(url)  # its own engine and connection, as in another process
    try:
        async with database.session() as session:
            return await bootstrap_admin(session, "admin@example.com", Settings(database_url=url))
    finally:
        await database.dispose()


async def test_processes_starting_together_make_one_admin(empty_stack: Stack) -> None:
    results = await asyncio.gather(
        *(start_one(empty_stack.database_url) for _ in range(STARTING_PROCESSES)),
        return_exceptions=True,
    )

    errors = [result for result in results if isinstance(result, BaseException)]
    assert errors == []
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    users = empty_stack.query("SELECT email, is_admin FROM users")
    assert [(row["email"], row["is_admin"]) for row in users] == [("admin@example.com", True)]
    keys = empty_stack.query("SELECT id FROM api_keys")
    assert len(keys) == 1
