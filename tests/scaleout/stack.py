"""The scale-out backend for tests: a fresh PostgreSQL database, Redis, `folio worker`s.

Loaded as a pytest plugin by ``tests/conftest.py``. With ``FOLIO_TEST_BACKEND=scaleout`` the
``settings`` fixture points every app at this stack (and a session-wide Celery worker runs
the jobs); the fault tests in ``tests/scaleout`` start and kill their own processes.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
import redis

from folio.core.db import create_engine
from folio.migrations import upgrade_database

SCALEOUT = os.environ.get("FOLIO_TEST_BACKEND") == "scaleout"
PG_URL = os.environ.get("FOLIO_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
FOLIO = Path(sys.executable).with_name("folio")
READY_TIMEOUT_S = 180  # a loaded two-core machine stretches a start several times
JWT_SECRET = "scale-out-tests-share-this-signing-secret"
PR_SET_PDEATHSIG = 1


def _with_database(url: str, name: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{name}"


@dataclass
class Stack:
    database: str  # PostgreSQL database name
    redis_url: str
    storage_dir: Path

    @property
    def database_url(self) -> str:
        return _with_database(PG_URL, self.database).replace(
            "postgresql://", "postgresql+asyncpg://", 1
        )

    def overrides(self, **extra: object) -> dict[str, object]:
        """Settings of an API process on this stack."""
        return {
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "executor": "celery",
            "storage_dir": self.storage_dir,
            "jwt_secret": JWT_SECRET,
            "dispatcher_poll_s": 0.3,
            **extra,
        }

    def env(self, data_dir: Path, **extra: object) -> dict[str, str]:
        """Environment of a `folio worker` or `folio serve` process on this stack."""
        values: dict[str, object] = {
            "FOLIO_DATABASE_URL": self.database_url,
            "FOLIO_REDIS_URL": self.redis_url,
            "FOLIO_EXECUTOR": "celery",
            "FOLIO_STORAGE_DIR": self.storage_dir,
            "FOLIO_DATA_DIR": data_dir,
            "FOLIO_JWT_SECRET": JWT_SECRET,
            "FOLIO_JOB_TIME_LIMIT_S": 120,
            "FOLIO_LOG_LEVEL": "INFO",
            "FOLIO_LOG_JSON": "false",
            **{f"FOLIO_{key.upper()}": value for key, value in extra.items()},
        }
        return {**os.environ, **{key: str(value) for key, value in values.items()}}

    def reset(self) -> None:
        """Empties every table (the schema stays), the blob directory and the Redis database."""
        with ThreadPoolExecutor(max_workers=1) as thread:
            thread.submit(asyncio.run, _empty_all(self.database)).result()
        redis.Redis.from_url(self.redis_url).flushdb()
        for entry in self.storage_dir.iterdir():
            if entry.name != ".tmp":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

    def query(self, sql: str, *args: object) -> list[asyncpg.Record]:
        """Blocking, from sync or async tests alike (its own loop, in its own thread)."""

        async def run() -> list[asyncpg.Record]:
            connection = await asyncpg.connect(_with_database(PG_URL, self.database))
            try:
                return await connection.fetch(sql, *args)
            finally:
                await connection.close()

        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, run()).result()


async def _empty_all(database: str) -> None:
    """Deletes every row and restarts the sequences, the foreign keys' triggers off for the
    transaction (so in any order): a TRUNCATE of the ~50 tables cost ~2 s per test, a
    DELETE of the few rows a test leaves ~0.07 s. A worker still finishing the previous test's
    job may hold locks: retry on deadlock."""
    connection = await asyncpg.connect(_with_database(PG_URL, database))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        sequences = await connection.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        statements = [
            "SET LOCAL session_replication_role = replica",
            *(f'DELETE FROM "{row["tablename"]}"' for row in tables),
            *(f'ALTER SEQUENCE "{row["sequencename"]}" RESTART' for row in sequences),
        ]
        for attempt in range(10):
            try:
                async with connection.transaction():
                    await connection.execute("; ".join(statements))
                return
            except asyncpg.DeadlockDetectedError:
                if attempt == 9:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await connection.close()


async def create_database(name: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(PG_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_database(engine)
    finally:
        await engine.dispose()


def die_with_parent() -> None:
    """Linux: a test run that is killed takes its workers and servers along."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class FolioProcess:
    """A `folio worker` or `folio serve` subprocess in its own process group."""

    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    _log_handle: object = field(default=None, repr=False)

    def start(self, ready_line: str) -> FolioProcess:
        handle = self.log.open("ab")
        self._log_handle = handle
        offset = self.log.stat().st_size
        self.process = subprocess.Popen(
            [str(FOLIO), *self.args],
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        try:
            self._await(ready_line, offset)
        except BaseException:
            self.stop()
            raise
        return self

    def _await(self, line: str, offset: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if line in self.log.read_text(errors="replace")[offset:]:
                return
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"{self.args[0]} not ready:\n{self.log.read_text()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL to the whole group: the worker and its pipeline children, no goodbyes."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log_handle is not None:
            self._log_handle.close()  # type: ignore[attr-defined]
            self._log_handle = None


def start_worker(
    stack: Stack, directory: Path, *, concurrency: int = 1, name: str = "worker", **settings: object
) -> FolioProcess:
    directory.mkdir(parents=True, exist_ok=True)
    worker = FolioProcess(
        ["worker", "--concurrency", str(concurrency)],
        stack.env(directory / name, **settings),
        directory / f"{name}.log",
    )
    return worker.start("ready.")


@pytest.fixture(scope="session")
def scaleout_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = f"folio_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_database(name))
    stack = Stack(name, REDIS_URL, tmp_path_factory.mktemp("shared-blobs"))
    try:
        asyncio.run(migrate(stack.database_url))
        yield stack
    finally:
        asyncio.run(drop_database(name))


@pytest.fixture(scope="session")
def scaleout_worker(
    scaleout_stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FolioProcess]:
    """The Celery worker that runs the jobs of the suite's second, scale-out run."""
    worker = start_worker(
        scaleout_stack, tmp_path_factory.mktemp("workers"), concurrency=2, job_lease_s=15
    )
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def scaleout_backend(scaleout_stack: Stack, scaleout_worker: FolioProcess) -> dict[str, object]:
    """Settings overrides for ``FOLIO_TEST_BACKEND=scaleout``: a clean stack per test."""
    scaleout_stack.reset()
    return scaleout_stack.overrides()
