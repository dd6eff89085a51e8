"""Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Cloudflare R2 …).

``put_stream`` streams through a multipart upload, one part in memory at a time, and refuses a
body past ``max_bytes`` before that byte is sent: the upload is aborted and nothing is left.
The pipeline reads files from disk, so ``local_path`` downloads a blob once into a bounded
read-through cache directory (a temporary name, then an atomic rename) and evicts the least
recently used copies beyond its budget. Folio never rewrites a key (every key holds a fresh id),
so a cached copy cannot go stale; ``delete`` and ``delete_prefix`` drop the local copies too.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from folio.core.storage import CHUNK, BlobTooLarge, StoredBlob

if TYPE_CHECKING:
    from folio.config import Settings

logger = logging.getLogger("folio.storage")
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part (all but the last)
PART_SIZE = 8 * 1024 * 1024
CACHE_GRACE_S = 60.0  # a copy used this recently stays: a job may be about to open it
STALE_TEMP_S = 3600.0  # partial downloads older than this are a crashed process's leftovers
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
PROBE_PREFIX = ".folio-probe"


class BlobStoreError(OSError):
    """The object store refused a request or could not be reached."""


@contextlib.contextmanager
def translated(key: str) -> Iterator[None]:
    """botocore errors as the OSErrors that callers of a directory expect."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in MISSING:
            raise FileNotFoundError(f"no blob {key}") from exc
        raise BlobStoreError(f"object store refused {key}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise BlobStoreError(f"object store unavailable: {exc}") from exc


def checked_key(key: str) -> str:
    """The same keys a directory accepts: relative, no empty, ``.`` or ``..`` segment."""
    if not key or any(segment in ("", ".", "..") for segment in key.split("/")):
        raise ValueError("invalid blob key")
    return key


def s3_client(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> Any:
    """A thread-safe boto3 client; without keys, the standard AWS credential chain applies."""
    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        # S3-compatible servers (MinIO, Ceph, moto) route by path; AWS chooses per bucket
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        connect_timeout=5,
        read_timeout=60,
        max_pool_connections=32,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=config,
    )


class ReadThroughCache:
    """Local copies of blobs in one flat directory; least recently used evicted beyond
    ``max_bytes`` (copies used in the last ``grace_s`` seconds, and the one just handed out,
    are kept even then). Several processes may share the directory."""

    def __init__(self, root: Path, max_bytes: int, *, grace_s: float = CACHE_GRACE_S) -> None:
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.grace_s = grace_s
        self.tmp = self.root / ".tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._drop_stale_temps()

    def path_for(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / f"{digest}{PurePosixPath(key).suffix[:16]}"

    def get(self, key: str) -> Path | None:
        """The cached copy, marked as just used; None when there is none."""
        path = self.path_for(key)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def temp(self) -> Path:
        return self.tmp / uuid.uuid4().hex

    def admit(self, key: str, temp: Path) -> Path:
        path = self.path_for(key)
        os.replace(temp, path)
        self.evict(keep=path)
        return path

    def discard(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def evict(self, *, keep: Path | None = None) -> None:
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        recent = time.time() - self.grace_s
        for used, size, path in sorted(entries):
            if total <= self.max_bytes:
                return
            if path == keep or used > recent:
                continue
            path.unlink(missing_ok=True)
            total -= size

    def _entries(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every cached copy."""
        entries: list[tuple[float, int, Path]] = []
        with os.scandir(self.root) as listing:
            for entry in listing:
                with contextlib.suppress(FileNotFoundError):  # evicted by another process
                    if entry.is_file(follow_symlinks=False):
                        stat = entry.stat(follow_symlinks=False)
                        entries.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        return entries

    def _drop_stale_temps(self) -> None:
        stale = time.time() - STALE_TEMP_S
        for temp in self.tmp.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if temp.stat().st_mtime < stale:
                    temp.unlink()


class CacheCopy:
    """Keeps what an upload streams as the cache's copy, unless it outgrows the cache."""

    def __init__(self, cache: ReadThroughCache, key: str) -> None:
        self.cache, self.key = cache, key
        self.temp: Path | None = cache.temp()
        self.handle: BinaryIO | None = self.temp.open("wb")
        self.size = 0

    def write(self, chunk: bytes) -> None:
        if self.handle is None:
            return
        self.size += len(chunk)
        if self.size > self.cache.max_bytes:
            self.abort()
            return
        self.handle.write(chunk)

    def commit(self) -> None:
        if self.handle is None or self.temp is None:
            self.cache.discard(self.key)  # too large to keep: no older copy either
            return
        self.handle.close()
        self.handle = None
        try:
            self.cache.admit(self.key, self.temp)
        except OSError:  # the object is stored; the copy only saves a download
            logger.warning("could not keep a local copy of %s", self.key, exc_info=True)
            self.abort()

    def abort(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None


class MultipartWriter:
    """Buffers one part at a time; a body smaller than one part goes up in a single PUT."""

    def __init__(self, client: Any, bucket: str, name: str, part_size: int) -> None:
        self.client, self.bucket, self.name = client, bucket, name
        self.part_size = max(part_size, MIN_PART_SIZE)
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        # mirror s3transfer: with default checksums, declare the algorithm when starting
        wants = client.meta.config.request_checksum_calculation == "when_supported"
        self.checksum: dict[str, str] = {"ChecksumAlgorithm": "CRC32"} if wants else {}

    def write(self, chunk: bytes) -> None:
        self.buffer += chunk
        if len(self.buffer) >= self.part_size:
            self._send_part()

    def finish(self) -> None:
        if self.upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.name, Body=bytes(self.buffer))
            return
        if self.buffer:
            self._send_part()
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.name,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def abort(self) -> None:
        if self.upload_id is None:
            return
        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.name, UploadId=self.upload_id
            )
        except (ClientError, BotoCoreError):  # the store drops it by its lifecycle rules
            logger.warning("could not abort the multipart upload of %s", self.name)

    def _send_part(self) -> None:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=self.name, **self.checksum
            )
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        body, self.buffer = bytes(self.buffer), bytearray()
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.name,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
            **self.checksum,
        )
        part: dict[str, Any] = {"ETag": response["ETag"], "PartNumber": number}
        if "ChecksumCRC32" in response and self.checksum:
            part["ChecksumCRC32"] = response["ChecksumCRC32"]
        self.parts.append(part)


class S3BlobStorage:
    """The ``BlobStorage`` protocol on one bucket, under an optional key prefix."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        cache: ReadThroughCache,
        *,
        prefix: str = "",
        part_size: int = PART_SIZE,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.cache = cache
        self.part_size = part_size

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStorage:
        if not settings.s3_bucket:
            raise ValueError("FOLIO_STORAGE_BACKEND=s3 needs FOLIO_S3_BUCKET")
        client = s3_client(
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
        cache = ReadThroughCache(settings.s3_cache_path, settings.s3_cache_bytes)
        return cls(client, settings.s3_bucket, cache, prefix=settings.s3_prefix)

    def object_name(self, key: str) -> str:
        """The object's name in the bucket."""
        checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _key_of(self, name: str) -> str:
        return name[len(self.prefix) + 1 :] if self.prefix else name

    def put_stream(self, key: str, source: BinaryIO, *, max_bytes: int) -> StoredBlob:
        upload = MultipartWriter(self.client, self.bucket, self.object_name(key), self.part_size)
        copy = CacheCopy(self.cache, key)
        digest = hashlib.sha256()
        size = 0
        try:
            with translated(key):
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    digest.update(chunk)
                    upload.write(chunk)
                    copy.write(chunk)
                upload.finish()
        except BaseException:
            upload.abort()
            copy.abort()
            raise
        copy.commit()
        return StoredBlob(key=key, size=size, sha256=digest.hexdigest())

    def local_path(self, key: str) -> Path:
        """A local copy for the pipeline: downloaded once, then served from the cache."""
        name = self.object_name(key)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        temp = self.cache.temp()
        try:
            with translated(key), temp.open("wb") as out:
                self.client.download_fileobj(self.bucket, name, out)
            return self.cache.admit(key, temp)
        finally:
            temp.unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        """A cached copy if there is one, else the object's body as it streams in."""
        name = self.object_name(key)
        cached = self.cache.get(key)
        if cached is not None:
            with contextlib.suppress(FileNotFoundError):  # evicted meanwhile: fetch it
                return cached.open("rb")
        with translated(key):
            body: BinaryIO = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
        return body

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        with self.open(key) as handle, translated(key):
            while chunk := handle.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        name = self.object_name(key)
        self.cache.discard(key)
        with translated(key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def delete_prefix(self, prefix: str) -> None:
        """Best effort, like removing a directory tree: failures are logged, not raised
        (it runs after the rows are gone; an orphaned object is harmless)."""
        folder = self.object_name(prefix.rstrip("/")) + "/"
        try:
            with translated(prefix):
                pages = self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=folder
                )
                for page in pages:  # at most 1,000 keys: one DeleteObjects request
                    self._delete_names([item["Key"] for item in page.get("Contents", [])])
        except OSError:
            logger.exception("could not delete the blobs under %s", folder)

    def _delete_names(self, names: list[str]) -> None:
        if not names:
            return
        for name in names:
            self.cache.discard(self._key_of(name))
        response = self.client.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": name} for name in names], "Quiet": True},
        )
        for error in response.get("Errors", []):
            logger.warning("could not delete %s: %s", error.get("Key"), error.get("Code"))

    def exists(self, key: str) -> bool:
        name = self.object_name(key)
        try:
            with translated(key):
                self.client.head_object(Bucket=self.bucket, Key=name)
        except FileNotFoundError:
            return False
        return True

    def check_writable(self) -> None:
        """Writes and removes a probe object, and a probe file in the cache directory."""
        probe = f"{PROBE_PREFIX}/{uuid.uuid4().hex}"
        name = self.object_name(probe)
        with translated(probe):
            self.client.put_object(Bucket=self.bucket, Key=name, Body=b"ok")
            self.client.delete_object(Bucket=self.bucket, Key=name)
        temp = self.cache.temp()
        temp.write_bytes(b"ok")
        temp.unlink()
