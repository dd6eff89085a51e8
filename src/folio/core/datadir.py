"""One server owns an embedded data directory; a second one on it would corrupt job state."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from folio.core.errors import Conflict


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "folio.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
