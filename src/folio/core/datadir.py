"""The data directory: private to its owner, and owned by one server (a second one on it
would corrupt job state)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from folio.core.errors import Conflict

OWNER_ONLY_UMASK = 0o077


def prepare_data_dir(path: Path) -> None:
    """Creates the data directory owner-only (0700) and makes every file this process (and the
    workers it starts) creates from now on owner-only too: the database, blobs, keys and the
    outbox's mails, which hold live reset links, are nobody else's to read."""
    os.umask(OWNER_ONLY_UMASK)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "folio.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        prepare_data_dir(self.path.parent)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise Conflict(f"Another Folio server is running on {self.path.parent}.") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
