"""Verify, refuse, retain, schedule: the backup service and the `folio` CLI on real files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

from folio.backup.manifest import BackupError
from folio.backup.schedule import backup_if_due
from folio.backup.service import (
    PARTIAL,
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    verify_backup,
)
from folio.config import Settings
from tests.backup.conftest import backup_to, folio, tree
from tests.conftest import SCALEOUT, make_settings

BLOB = "doc_01test/original.pdf"


@pytest.fixture
def filled(data_dir: Path) -> Path:
    """A data directory with a blob and a signing-key file beside its database."""
    blob = data_dir / "blobs" / BLOB
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"%PDF-1.4 original bytes")
    (data_dir / "jwt-keys.json").write_text('{"keys": []}')
    return data_dir


pytestmark = pytest.mark.skipif(SCALEOUT, reason="SQLite data directories; see test_postgres.py")


def test_backup_holds_database_blobs_and_keys_with_checksums(filled: Path, tmp_path: Path) -> None:
    made = create_backup(make_settings(filled), tmp_path / "backups")

    manifest = verify_backup(made.path)
    assert [entry.path for entry in manifest.files] == [
        "folio.db",
        f"blobs/{BLOB}",
        "jwt-keys.json",
    ]
    assert manifest.alembic_revision and manifest.folio_version
    assert tree(made.path / "blobs") == tree(filled / "blobs")
    assert oct(made.path.stat().st_mode & 0o777) == "0o700"
    assert not list((tmp_path / "backups").glob(PARTIAL + "*"))


def test_restore_refuses_a_non_empty_data_dir(filled: Path, tmp_path: Path) -> None:
    backup = create_backup(make_settings(filled), tmp_path / "backups").path
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")

    done = folio("restore", "--from", backup, "--data-dir", target, check=False)

    assert done.returncode == 1
    assert f"refusing to restore into {target}: it is not empty" in done.stderr
    assert tree(target) == {"notes.txt": tree(target)["notes.txt"]}


def test_a_corrupted_backup_fails_restore_and_writes_nothing(filled: Path, tmp_path: Path) -> None:
    backup = backup_to(tmp_path / "backups", filled)
    blob = backup / "blobs" / BLOB
    blob.write_bytes(blob.read_bytes().replace(b"original", b"tampered"))
    target = tmp_path / "restored"

    verified = folio("backup", "--verify", backup, check=False)
    restored = folio("restore", "--from", backup, "--data-dir", target, check=False)

    for done in (verified, restored):
        assert done.returncode == 1
        assert f"backup is corrupt: blobs/{BLOB} has size" in done.stderr
    assert not target.exists()


def test_a_missing_file_or_manifest_is_named(filled: Path, tmp_path: Path) -> None:
    backup = create_backup(make_settings(filled), tmp_path / "backups").path
    (backup / "jwt-keys.json").unlink()
    with pytest.raises(BackupError, match=re.escape("jwt-keys.json is missing")):
        verify_backup(backup)
    (backup / "manifest.json").unlink()
    with pytest.raises(BackupError, match=re.escape("not a Folio backup: no manifest.json")):
        restore_backup(make_settings(tmp_path / "restored"), backup)
    assert not (tmp_path / "restored").exists()


def test_restore_into_an_empty_directory_gives_back_the_same_files(
    filled: Path, tmp_path: Path
) -> None:
    backup = create_backup(make_settings(filled), tmp_path / "backups").path
    target = tmp_path / "restored"
    target.mkdir()  # empty is fine

    restore_backup(make_settings(target), backup)

    expected = {path: digest for path, digest in tree(backup).items() if path != "manifest.json"}
    assert tree(target) == expected


def test_a_backup_from_a_newer_schema_is_refused(filled: Path, tmp_path: Path) -> None:
    backup = create_backup(make_settings(filled), tmp_path / "backups").path
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["alembic_revision"] = "29991231_2359_from_the_future"
    (backup / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match="schema 29991231_2359_from_the_future is newer"):
        restore_backup(make_settings(tmp_path / "restored"), backup)
    assert not (tmp_path / "restored").exists()


def test_retention_keeps_the_newest(filled: Path, tmp_path: Path) -> None:
    root = tmp_path / "backups"
    made = [create_backup(make_settings(filled), root).path for _ in range(4)]
    stale = root / (PARTIAL + "folio-backup-crashed")
    stale.mkdir()
    os.utime(stale, (time.time() - 2 * 86400,) * 2)

    removed = prune_backups(root, keep=2)

    assert list_backups(root) == made[2:]
    assert sorted(removed) == sorted([*made[:2], stale])


def test_a_recent_backup_is_not_repeated(filled: Path, tmp_path: Path) -> None:
    settings = make_settings(filled, backup_interval_s=3600)
    root = tmp_path / "backups"

    first = backup_if_due(settings, root)
    again = backup_if_due(settings, root)

    assert first is not None and again is None
    assert list_backups(root) == [first]


def test_blobs_in_s3_are_refused_with_a_reason(data_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(data_dir, storage_backend="s3", s3_bucket="blobs")
    with pytest.raises(BackupError, match="blobs are in S3"):
        create_backup(settings, tmp_path / "backups")
    assert list_backups(tmp_path / "backups") == []


class TestScheduled:
    @pytest.fixture
    def settings_overrides(self, tmp_path: Path) -> dict[str, object]:
        return {
            "backup_dir": tmp_path / "scheduled",
            "backup_interval_s": 0.3,
            "backup_keep": 2,
            "workers": 0,
        }

    async def test_the_server_makes_backups_and_keeps_the_newest(
        self, app: FastAPI, settings: Settings
    ) -> None:
        assert settings.backup_dir is not None
        seen: set[str] = set()
        counts: set[int] = set()
        async with asyncio.timeout(60):
            while len(seen) < 4:
                current = list_backups(settings.backup_dir)
                counts.add(len(current))
                seen |= {path.name for path in current}
                await asyncio.sleep(0.05)
        # a third exists only between a backup's rename and the pruning right after it
        assert 2 in counts and max(counts) <= 3
        for path in list_backups(settings.backup_dir):
            verify_backup(path)
