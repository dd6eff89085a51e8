"""Blob storage behind one small interface: a local (or shared) directory by default, or an
S3-compatible object store (``folio.core.s3storage``); ``build_blob_storage`` picks one."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_rollback

if TYPE_CHECKING:
    from folio.config import Settings

CHUNK = 1024 * 1024


class BlobTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


class BlobStorage(Protocol):
    def put_stream(self, key: str, source: BinaryIO, *, max_bytes: int) -> StoredBlob: ...

    def local_path(self, key: str) -> Path: ...

    def open(self, key: str) -> BinaryIO: ...

    def iter_chunks(self, key: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> None:
        """Deletes every blob under ``prefix/`` (a document's or a project's folder)."""

    def exists(self, key: str) -> bool: ...

    def check_writable(self) -> None: ...


class LocalBlobStorage:
    """Files under one root; writes go to a temporary name, are fsynced, then renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._tmp = self.root / ".tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError("invalid blob key")
        return path

    def put_stream(self, key: str, source: BinaryIO, *, max_bytes: int) -> StoredBlob:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = self._tmp / uuid.uuid4().hex
        digest = hashlib.sha256()
        size = 0
        try:
            with temp.open("wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return StoredBlob(key=key, size=size, sha256=digest.hexdigest())

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        with self.open(key) as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check_writable(self) -> None:
        probe = self._tmp / f"probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()


def build_blob_storage(settings: Settings) -> BlobStorage:
    """The one place storage is built, for API processes and Celery workers alike."""
    if settings.storage_backend == "s3":
        from folio.core.s3storage import S3BlobStorage  # boto3 is only loaded when used

        return S3BlobStorage.from_settings(settings)
    return LocalBlobStorage(settings.blob_dir)


def forget_on_rollback(session: AsyncSession, storage: BlobStorage, key: str) -> None:
    """A blob written for a row that never commits is deleted again."""

    async def delete() -> None:
        await anyio.to_thread.run_sync(storage.delete, key)

    after_rollback(session, delete)
