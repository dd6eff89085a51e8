"""Backups in S3: ``folio backup --to s3://bucket/prefix``.

A backup is made as on disk (``service.create_backup``) into a staging directory beside the
data, then streamed as one uncompressed tar (``folio-backup-<UTC time>.tar``) through a pipe
into a multipart upload: no archive file is written, and S3 shows the object only once its
last part is in, so an object with that name is always a complete backup. Restore streams the
object back, unpacks it into a staging directory and hands it to ``service.restore_backup``,
which checks every checksum before writing anything."""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from folio.backup.manifest import BackupError, Manifest
from folio.backup.service import (
    PREFIX,
    STALE_PARTIAL_S,
    create_backup,
    restore_backup,
    verify_backup,
)
from folio.config import Settings
from folio.core.s3storage import s3_client

SUFFIX = ".tar"
PART_BYTES = 16 * 1024 * 1024
STALE_UPLOAD = timedelta(hours=24)
_URL = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")


def is_s3_url(target: str) -> bool:
    return target.startswith("s3://")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str  # a folder prefix ("" or ending in "/") or one backup's object key

    @classmethod
    def parse(cls, url: str) -> S3Location:
        match = _URL.match(url)
        if match is None:
            raise BackupError(f"{url!r} is not an S3 location: write s3://bucket/prefix")
        return cls(match["bucket"], match["key"] or "")

    @property
    def folder(self) -> str:
        return self.key if not self.key or self.key.endswith("/") else self.key + "/"

    @property
    def is_backup(self) -> bool:
        name = self.key.rsplit("/", 1)[-1]
        return name.startswith(PREFIX) and name.endswith(SUFFIX)

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


@dataclass(frozen=True)
class S3BackupMade:
    url: str
    manifest: Manifest
    bytes: int
    seconds: float


def backup_client(settings: Settings) -> Any:
    """The FOLIO_S3_* endpoint, region and keys (the standard AWS chain when unset)."""
    return s3_client(
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
    )


@contextmanager
def _s3_errors(what: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        detail = error.response.get("Error", {})
        raise BackupError(f"{what}: {detail.get('Code')} {detail.get('Message', '')}") from error
    except BotoCoreError as error:
        raise BackupError(f"{what}: {error}") from error


STAGING = ".folio-backup-staging-"


def _staging(parent: Path) -> tempfile.TemporaryDirectory[str]:
    """Also removes staging directories a killed process left a day ago or more."""
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - STALE_PARTIAL_S
    for stale in parent.glob(STAGING + "*"):
        if stale.is_dir() and stale.stat().st_mtime < cutoff:
            shutil.rmtree(stale, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=STAGING, dir=parent)


def upload_backup(settings: Settings, url: str, client: Any | None = None) -> S3BackupMade:
    location = S3Location.parse(url)
    client = client or backup_client(settings)
    started = time.monotonic()
    with _staging(settings.data_dir) as staging:
        made = create_backup(settings, Path(staging))
        key = location.folder + made.path.name + SUFFIX
        with _s3_errors(f"uploading {location.url(key)}"):
            sent = _stream_tar(client, made.path, location.bucket, key)
    return S3BackupMade(location.url(key), made.manifest, sent, time.monotonic() - started)


class _TarPipe:
    """The reading end of a pipe a thread writes the tar into. A failure of that thread is
    raised at the reader's end of file, so the upload is aborted, never completed short."""

    def __init__(self, directory: Path) -> None:
        read_fd, write_fd = os.pipe()
        self._reader = os.fdopen(read_fd, "rb")
        self._error: BaseException | None = None
        self.sent = 0
        self._thread = threading.Thread(
            target=self._write, args=(directory, os.fdopen(write_fd, "wb")), daemon=True
        )
        self._thread.start()

    def _write(self, directory: Path, sink: Any) -> None:
        try:
            with sink, tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                tar.add(directory, arcname=directory.name)
        except BaseException as error:  # handed to the reader
            self._error = error

    def read(self, size: int = -1) -> bytes:
        data = self._reader.read(size)
        if not data:
            self._thread.join()
            if self._error is not None:
                raise BackupError(f"writing the archive failed: {self._error}")
        self.sent += len(data)
        return data

    def close(self) -> None:
        self._reader.close()  # a writer still running gets a broken pipe and ends
        self._thread.join()


def _stream_tar(client: Any, directory: Path, bucket: str, key: str) -> int:
    pipe = _TarPipe(directory)
    config = TransferConfig(
        multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=4
    )
    try:
        client.upload_fileobj(pipe, bucket, key, Config=config)
    finally:
        pipe.close()
    return pipe.sent


def list_s3_backups(client: Any, location: S3Location) -> list[str]:
    """Complete backups' object keys directly under the prefix, oldest first."""
    keys: list[str] = []
    with _s3_errors(f"listing {location.url(location.folder)}"):
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.folder + PREFIX
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"].removeprefix(location.folder)
                if "/" not in name and name.endswith(SUFFIX):
                    keys.append(item["Key"])
    return sorted(keys)


def prune_s3_backups(client: Any, url: str, keep: int) -> list[str]:
    """Deletes the oldest backups beyond ``keep``, and aborts uploads a crash left unfinished
    for a day (their parts are billed but invisible)."""
    location = S3Location.parse(url)
    removed = list_s3_backups(client, location)[:-keep] if keep > 0 else []
    with _s3_errors(f"pruning {location.url(location.folder)}"):
        for key in removed:
            client.delete_object(Bucket=location.bucket, Key=key)
        _abort_stale_uploads(client, location)
    return [location.url(key) for key in removed]


def _abort_stale_uploads(client: Any, location: S3Location) -> None:
    cutoff = datetime.now(UTC) - STALE_UPLOAD
    listing = client.list_multipart_uploads(Bucket=location.bucket, Prefix=location.folder + PREFIX)
    for upload in listing.get("Uploads", []):
        if upload["Initiated"] < cutoff:
            client.abort_multipart_upload(
                Bucket=location.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )


def newest_s3_backup_time(client: Any, url: str) -> datetime | None:
    keys = list_s3_backups(client, S3Location.parse(url))
    if not keys:
        return None
    stamp = keys[-1].rsplit("/", 1)[-1].removeprefix(PREFIX).removesuffix(SUFFIX)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def _resolve(client: Any, url: str) -> S3Location:
    """``url`` names one backup, or a prefix whose newest backup is meant."""
    location = S3Location.parse(url)
    if location.is_backup:
        return location
    keys = list_s3_backups(client, location)
    if not keys:
        raise BackupError(f"no backup under {location.url(location.folder)}")
    return S3Location(location.bucket, keys[-1])


@contextmanager
def downloaded(client: Any, url: str, parent: Path) -> Iterator[Path]:
    """The backup's directory, streamed from S3 and unpacked under ``parent``."""
    location = _resolve(client, url)
    with _staging(parent) as staging:
        with _s3_errors(f"reading {location.url(location.key)}"):
            body = client.get_object(Bucket=location.bucket, Key=location.key)["Body"]
            try:
                _unpack(body, Path(staging))
            finally:
                body.close()
        yield _single_backup(Path(staging), location)


def _unpack(stream: Any, target: Path) -> None:
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"unexpected {member.name!r} in the archive")
                tar.extract(member, target, filter="data")  # refuses paths outside target
    except tarfile.TarError as error:
        raise BackupError(f"the archive is damaged: {error}") from error


def _single_backup(staging: Path, location: S3Location) -> Path:
    found = [path for path in staging.iterdir() if path.name.startswith(PREFIX)]
    if len(found) != 1:
        raise BackupError(f"{location.url(location.key)} does not hold one Folio backup")
    return found[0]


def restore_from_s3(settings: Settings, url: str, client: Any | None = None) -> Manifest:
    """Unpacks beside the data directory (same filesystem, and not inside what must be empty)."""
    parent = settings.data_dir.resolve().parent
    with downloaded(client or backup_client(settings), url, parent) as directory:
        return restore_backup(settings, directory)


def verify_s3_backup(settings: Settings, url: str, client: Any | None = None) -> Manifest:
    parent = Path(tempfile.gettempdir())
    with downloaded(client or backup_client(settings), url, parent) as directory:
        return verify_backup(directory)
