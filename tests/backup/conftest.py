"""Helpers for the backup tests: the real `folio` CLI and a look into a data directory's files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.server import FOLIO
from tests.storage_s3.conftest import bucket, s3, s3_endpoint  # noqa: F401 (the S3 server)


def folio(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(FOLIO), *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def backup_to(target: Path, data_dir: Path) -> Path:
    done = folio("backup", "--to", target, "--data-dir", data_dir)
    return Path(json.loads(done.stdout)["path"])


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(database)
    try:
        return sorted(connection.execute(query).fetchall())
    finally:
        connection.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path → sha256)."""
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
