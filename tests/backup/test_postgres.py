"""The PostgreSQL path (FOLIO_TEST_BACKEND=scaleout): ``pg_dump`` snapshot plus blobs, restored
with ``pg_restore`` into an empty database only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from folio.auth.accounts import create_account
from folio.backup.manifest import BackupError
from folio.backup.service import create_backup, restore_backup, verify_backup
from folio.config import Settings
from folio.core.db import Database
from tests.backup.conftest import tree
from tests.conftest import SCALEOUT, make_settings
from tests.scaleout.stack import PG_URL, _with_database, create_database, drop_database, migrate

pytestmark = pytest.mark.skipif(not SCALEOUT, reason="needs PostgreSQL (FOLIO_TEST_BACKEND)")
USERS = "SELECT id, email, password_hash FROM users ORDER BY id"


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    names = [f"folio_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        asyncio.run(create_database(name))
    yield names[0], names[1]
    for name in names:
        asyncio.run(drop_database(name))


def settings_on(database: str, data_dir: Path) -> Settings:
    url = _with_database(PG_URL, database).replace("postgresql://", "postgresql+asyncpg://", 1)
    return make_settings(data_dir, database_url=url)


async def seed(settings: Settings) -> None:
    await migrate(settings.resolved_database_url)
    database = Database(settings.resolved_database_url)
    try:
        async with database.session() as session:
            await create_account(session, email="pg@example.com", password="a long password 1")
    finally:
        await database.dispose()
    blob = settings.blob_dir / "doc_01pg" / "original.pdf"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"%PDF-1.7 pg original")


def query(database: str, sql: str) -> list[tuple[object, ...]]:
    async def run() -> list[tuple[object, ...]]:
        connection = await asyncpg.connect(_with_database(PG_URL, database))
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(run())


def test_pg_dump_backup_restores_into_an_empty_database_only(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source_name, target_name = databases
    source = settings_on(source_name, tmp_path / "source")
    asyncio.run(seed(source))

    made = create_backup(source, tmp_path / "backups")
    manifest = verify_backup(made.path)
    assert manifest.database == "postgresql" and manifest.alembic_revision
    assert (made.path / "database.dump").is_file()

    with pytest.raises(BackupError, match="refusing to restore into a database that has"):
        restore_backup(settings_on(source_name, tmp_path / "elsewhere"), made.path)
    assert not (tmp_path / "elsewhere").exists()

    target = settings_on(target_name, tmp_path / "target")
    restore_backup(target, made.path)

    assert query(target_name, USERS) == query(source_name, USERS) != []
    assert tree(target.blob_dir) == tree(source.blob_dir)
    revision = "SELECT version_num FROM alembic_version"
    assert query(target_name, revision) == [(manifest.alembic_revision,)]
