"""Scheduled backups, run by the server: one every ``FOLIO_BACKUP_INTERVAL_S`` into
``FOLIO_BACKUP_DIR``, keeping the newest ``FOLIO_BACKUP_KEEP``."""

from __future__ import annotations

import fcntl
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from folio.backup.manifest import BackupError
from folio.backup.service import create_backup, newest_backup_time, prune_backups
from folio.config import Settings
from folio.core.background import Periodic

logger = logging.getLogger("folio.backup")
LOCK = ".folio-backup.lock"
MAX_CHECK_S = 60.0


def backup_if_due(settings: Settings, target_root: Path) -> Path | None:
    """Makes a backup when the newest one is older than the interval (so a restart does not make
    one more), then prunes. Processes sharing the directory take turns through a lock file."""
    target_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (target_root / LOCK).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another process is making one
        newest = newest_backup_time(target_root)
        interval = timedelta(seconds=settings.backup_interval_s)
        if newest is not None and datetime.now(UTC) - newest < interval:
            return None
        made = create_backup(settings, target_root)
        prune_backups(target_root, settings.backup_keep)
        logger.info(
            "backup %s made in %.1f s (%d files, %d bytes)",
            made.path.name,
            made.seconds,
            len(made.manifest.files),
            made.manifest.total_bytes,
        )
        return made.path


def scheduled_backups(settings: Settings) -> Periodic | None:
    target_root = settings.backup_dir
    if target_root is None:
        return None

    async def step() -> None:
        try:
            await anyio.to_thread.run_sync(backup_if_due, settings, target_root)
        except BackupError as error:
            logger.error("scheduled backup failed: %s", error)

    return Periodic("folio-backups", step, min(settings.backup_interval_s, MAX_CHECK_S))
