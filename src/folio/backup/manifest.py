"""The manifest: what a backup holds, with a size and SHA-256 per file, written last."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

MANIFEST = "manifest.json"
FORMAT = "folio-backup"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made, verified or restored; the message says why, for a person."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup directory, with forward slashes
    size: int
    sha256: str


@dataclass
class Manifest:
    folio_version: str
    alembic_revision: str | None
    created_at: str
    database: Literal["sqlite", "postgresql"]
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.files)

    def write(self, directory: Path) -> None:
        body = {**asdict(self), "total_bytes": self.total_bytes}
        (directory / MANIFEST).write_text(json.dumps(body, indent=1) + "\n")

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            body: dict[str, Any] = json.loads(path.read_text())
        except FileNotFoundError as error:
            raise BackupError(f"{directory} is not a Folio backup: no {MANIFEST}") from error
        except (OSError, ValueError) as error:
            raise BackupError(f"{path} is unreadable: {error}") from error
        if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{path}: unsupported backup format {body.get('format')!r} "
                f"version {body.get('format_version')!r} (this Folio reads {FORMAT} "
                f"version {FORMAT_VERSION})"
            )
        try:
            files = [FileEntry(**entry) for entry in body["files"]]
            return cls(
                folio_version=body["folio_version"],
                alembic_revision=body["alembic_revision"],
                created_at=body["created_at"],
                database=body["database"],
                files=files,
            )
        except (KeyError, TypeError) as error:
            raise BackupError(f"{path} is incomplete: {error}") from error


def copy_hashed(source: Path, target: Path) -> FileEntry:
    """Copies one file and hashes what was read, in one pass; ``path`` is left to the caller."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    return FileEntry(path="", size=size, sha256=digest.hexdigest())


def hash_file(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(path="", size=size, sha256=digest.hexdigest())


def verify_files(directory: Path, manifest: Manifest) -> None:
    """Every listed file is there with its size and checksum; raises on the first that is not."""
    for entry in manifest.files:
        path = directory / entry.path
        if not path.resolve().is_relative_to(directory.resolve()):
            raise BackupError(f"backup manifest lists a path outside the backup: {entry.path}")
        if not path.is_file():
            raise BackupError(f"backup is incomplete: {entry.path} is missing")
        found = hash_file(path)
        if found.size != entry.size or found.sha256 != entry.sha256:
            raise BackupError(
                f"backup is corrupt: {entry.path} has size {found.size} and sha256 "
                f"{found.sha256}, the manifest says {entry.size} and {entry.sha256}"
            )
