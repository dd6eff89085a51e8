"""Scheduled backups, run by the server: one every ``FOLIO_BACKUP_INTERVAL_S`` into
``FOLIO_BACKUP_DIR`` (or up to ``FOLIO_BACKUP_S3_URL``), keeping the newest
``FOLIO_BACKUP_KEEP``."""

from __future__ import annotations

import fcntl
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio

from folio.backup.manifest import BackupError
from folio.backup.s3 import backup_client, newest_s3_backup_time, prune_s3_backups, upload_backup
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


def s3_backup_if_due(settings: Settings, url: str) -> str | None:
    """As :func:`backup_if_due`; the processes of one data directory take turns through a lock
    file in it (run the schedule on one machine: S3 has no lock to share)."""
    with (settings.data_dir / LOCK).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        client = backup_client(settings)
        newest = newest_s3_backup_time(client, url)
        interval = timedelta(seconds=settings.backup_interval_s)
        if newest is not None and datetime.now(UTC) - newest < interval:
            return None
        made = upload_backup(settings, url, client)
        prune_s3_backups(client, url, settings.backup_keep)
        logger.info(
            "backup %s uploaded in %.1f s (%d files, %d bytes)",
            made.url,
            made.seconds,
            len(made.manifest.files),
            made.bytes,
        )
        return made.url


def scheduled_backups(settings: Settings) -> Periodic | None:
    target_root, url = settings.backup_dir, settings.backup_s3_url
    if target_root is None and url is None:
        return None

    async def step() -> None:
        try:
            if url is not None:
                await anyio.to_thread.run_sync(s3_backup_if_due, settings, url)
            if target_root is not None:
                await anyio.to_thread.run_sync(backup_if_due, settings, target_root)
        except BackupError as error:
            logger.error("scheduled backup failed: %s", error)

    return Periodic("folio-backups", step, min(settings.backup_interval_s, MAX_CHECK_S))
