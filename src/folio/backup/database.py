"""Database snapshots: SQLite's online backup API, or ``pg_dump`` / ``pg_restore``."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from folio.backup.manifest import BackupError
from folio.core.db import create_engine

SQLITE_FILE = "folio.db"
PG_DUMP_FILE = "database.dump"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError(f"no SQLite file in the database URL {url!r}")
    return Path(database)


def snapshot_sqlite(source: Path, target: Path) -> None:
    """A consistent copy while the server writes: in WAL mode the read transaction of the backup
    does not block writers, and copying in one step never restarts on their commits."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    reader = sqlite3.connect(source, timeout=60)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL as a libpq one, with the password in the environment, not in ``ps``."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; PostgreSQL backups need the client tools")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit code {done.returncode}"
        hint = ""
        if "version mismatch" in detail:
            hint = " (install client tools at least as new as the server's major version)"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}{hint}")


def dump_postgres(url: str, target: Path) -> None:
    """``pg_dump`` runs in one repeatable-read transaction: a consistent snapshot."""
    dsn, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", dsn], env)


def restore_postgres(url: str, source: Path) -> None:
    dsn, env = _libpq(url)
    command = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    _run([*command, f"--dbname={dsn}", str(source)], env)


async def _scalar(url: str, statement: str) -> object:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(statement))).scalar()
    finally:
        await engine.dispose()


def postgres_revision(url: str) -> str | None:
    try:
        value = asyncio.run(_scalar(url, "SELECT version_num FROM alembic_version"))
    except Exception:
        return None
    return None if value is None else str(value)


def postgres_table_count(url: str) -> int:
    statement = (
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return int(str(asyncio.run(_scalar(url, statement))))
