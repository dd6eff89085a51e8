"""Make, verify, restore and prune backups. A backup is one directory under the target,
``folio-backup-<UTC time>``, built under a hidden name and renamed once its manifest is written,
so a directory with that name is always complete."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from folio import __version__
from folio.backup import database
from folio.backup.manifest import (
    MANIFEST,
    BackupError,
    FileEntry,
    Manifest,
    copy_hashed,
    hash_file,
    verify_files,
)
from folio.config import Settings
from folio.core.datadir import prepare_data_dir
from folio.migrations import known_revision

logger = logging.getLogger("folio.backup")

PREFIX = "folio-backup-"
PARTIAL = ".partial-"
BLOBS = "blobs"
KEY_FILE = "jwt-keys.json"
STALE_PARTIAL_S = 24 * 3600


@dataclass(frozen=True)
class BackupMade:
    path: Path
    manifest: Manifest
    seconds: float


def create_backup(settings: Settings, target_root: Path) -> BackupMade:
    """Database first, then blobs: blobs are immutable once written and never reused, so every
    blob the snapshot refers to is copied; blobs written after the snapshot are harmless extras."""
    if settings.storage_backend != "local":
        raise BackupError(
            "blobs are in S3 (FOLIO_STORAGE_BACKEND=s3): back the bucket up with versioning or "
            "replication; `folio backup` copies local blob directories only"
        )
    started = time.monotonic()
    prepare_data_dir(target_root)  # owner-only: the backup holds password hashes and keys
    now = datetime.now(UTC)
    name = PREFIX + now.strftime("%Y%m%dT%H%M%S%fZ")
    partial = target_root / (PARTIAL + name)
    partial.mkdir(mode=0o700)
    try:
        manifest = _fill(settings, partial, created_at=now)
        manifest.write(partial)
        final = target_root / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupMade(final, manifest, time.monotonic() - started)


def _fill(settings: Settings, directory: Path, *, created_at: datetime) -> Manifest:
    url = settings.resolved_database_url
    files: list[FileEntry] = []
    if settings.is_sqlite:
        snapshot = directory / database.SQLITE_FILE
        database.snapshot_sqlite(database.sqlite_path(url), snapshot)
        revision = database.sqlite_revision(snapshot)
        files.append(_entry(directory, snapshot))
    else:
        dump = directory / database.PG_DUMP_FILE
        revision = database.postgres_revision(url)
        database.dump_postgres(url, dump)
        files.append(_entry(directory, dump))
    files.extend(_copy_blobs(settings.blob_dir, directory / BLOBS, directory))
    if settings.key_file.is_file():
        entry = copy_hashed(settings.key_file, directory / KEY_FILE)
        files.append(replace(entry, path=KEY_FILE))
    return Manifest(
        folio_version=__version__,
        alembic_revision=revision,
        created_at=created_at.isoformat(),
        database="sqlite" if settings.is_sqlite else "postgresql",
        files=files,
    )


def _entry(directory: Path, path: Path) -> FileEntry:
    return replace(hash_file(path), path=path.relative_to(directory).as_posix())


def _blob_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        if Path(folder) == root:
            subfolders[:] = [name for name in subfolders if name != ".tmp"]  # writes in flight
        subfolders.sort()
        for name in sorted(names):
            yield Path(folder) / name


def _copy_blobs(root: Path, target: Path, directory: Path) -> Iterator[FileEntry]:
    for source in _blob_files(root):
        destination = target / source.relative_to(root)
        try:
            entry = copy_hashed(source, destination)
        except FileNotFoundError:
            # deleted since the walk listed it: its document was deleted after the snapshot
            logger.warning("blob %s vanished during the backup", source.relative_to(root))
            destination.unlink(missing_ok=True)
            continue
        yield replace(entry, path=destination.relative_to(directory).as_posix())


def verify_backup(path: Path) -> Manifest:
    manifest = Manifest.read(path)
    verify_files(path, manifest)
    return manifest


def restore_backup(settings: Settings, source: Path) -> Manifest:
    """Checks every checksum and that the target is empty before writing anything; the database
    is put in place last, so an interrupted restore never looks like a complete installation."""
    manifest = verify_backup(source)
    if manifest.database != ("sqlite" if settings.is_sqlite else "postgresql"):
        raise BackupError(
            f"the backup holds a {manifest.database} database; this installation is configured "
            f"for {'SQLite' if settings.is_sqlite else 'PostgreSQL'} (FOLIO_DATABASE_URL)"
        )
    if manifest.alembic_revision and not known_revision(manifest.alembic_revision):
        raise BackupError(
            f"the backup's schema {manifest.alembic_revision} is newer than this Folio "
            f"{__version__} knows (it was made by Folio {manifest.folio_version}): restore "
            "with that version or a newer one"
        )
    if settings.storage_backend != "local":
        raise BackupError("restore writes blobs to a local directory; FOLIO_STORAGE_BACKEND=s3")
    _refuse_non_empty(settings)
    prepare_data_dir(settings.data_dir)
    for entry in manifest.files:
        if entry.path.startswith(BLOBS + "/"):
            relative = entry.path.removeprefix(BLOBS + "/")
            copy_hashed(source / entry.path, settings.blob_dir / relative)
    if (source / KEY_FILE).is_file():
        copy_hashed(source / KEY_FILE, settings.key_file)
    if settings.is_sqlite:
        target = database.sqlite_path(settings.resolved_database_url)
        temporary = target.with_name(target.name + ".restoring")
        copy_hashed(source / database.SQLITE_FILE, temporary)
        os.replace(temporary, target)
    else:
        database.restore_postgres(settings.resolved_database_url, source / database.PG_DUMP_FILE)
    return manifest


def _refuse_non_empty(settings: Settings) -> None:
    for directory in dict.fromkeys([settings.data_dir, settings.blob_dir]):
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise BackupError(
                f"refusing to restore into {directory}: it is not empty (restore into a new "
                "data directory, or move this one away first)"
            )
    if not settings.is_sqlite:
        tables = database.postgres_table_count(settings.resolved_database_url)
        if tables:
            raise BackupError(
                f"refusing to restore into a database that has {tables} tables: create an "
                "empty database first"
            )


def list_backups(target_root: Path) -> list[Path]:
    """Complete backups, oldest first (their names sort by time)."""
    if not target_root.is_dir():
        return []
    found = [
        path
        for path in target_root.iterdir()
        if path.name.startswith(PREFIX) and (path / MANIFEST).is_file()
    ]
    return sorted(found, key=lambda path: path.name)


def prune_backups(target_root: Path, keep: int) -> list[Path]:
    """Deletes the oldest complete backups beyond ``keep``, and partial ones a crash left."""
    removed = list_backups(target_root)[:-keep] if keep > 0 else []
    if target_root.is_dir():
        cutoff = time.time() - STALE_PARTIAL_S
        removed += [
            path
            for path in target_root.iterdir()
            if path.name.startswith(PARTIAL) and path.stat().st_mtime < cutoff
        ]
    for path in removed:
        shutil.rmtree(path)
    return removed


def newest_backup_time(target_root: Path) -> datetime | None:
    backups = list_backups(target_root)
    if not backups:
        return None
    stamp = backups[-1].name.removeprefix(PREFIX)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
