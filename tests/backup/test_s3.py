"""Backups in S3 against a real S3-compatible HTTP server (moto's server mode, as the S3 storage
tests use), through the real boto3 client and the real `folio` CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from folio.backup.manifest import BackupError
from folio.backup.s3 import (
    PART_BYTES,
    STAGING,
    S3Location,
    _stream_tar,
    list_s3_backups,
    prune_s3_backups,
    restore_from_s3,
    upload_backup,
)
from folio.backup.schedule import s3_backup_if_due
from folio.config import Settings
from tests.backup.conftest import rows, tree
from tests.conftest import SCALEOUT, make_settings
from tests.e2e.server import FOLIO
from tests.storage_s3.conftest import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, object_names

pytestmark = pytest.mark.skipif(SCALEOUT, reason="SQLite data directories; see test_postgres.py")
BLOB = "doc_01test/original.pdf"


@pytest.fixture
def filled(data_dir: Path) -> Path:
    blob = data_dir / "blobs" / BLOB
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"%PDF-1.4 original bytes")
    (data_dir / "jwt-keys.json").write_text('{"keys": []}')
    return data_dir


def s3_settings(data_dir: Path, endpoint: str) -> Settings:
    return make_settings(
        data_dir,
        s3_endpoint_url=endpoint,
        s3_region=REGION,
        s3_access_key_id=ACCESS_KEY_ID,
        s3_secret_access_key=SECRET_ACCESS_KEY,
    )


def folio_with_s3(endpoint: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FOLIO_S3_ENDPOINT_URL": endpoint,
        "FOLIO_S3_REGION": REGION,
        "FOLIO_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "FOLIO_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
    }
    return subprocess.run(
        [str(FOLIO), *map(str, args)], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_cli_backs_up_to_s3_and_restores_the_same_installation(
    filled: Path, tmp_path: Path, s3_endpoint: str, s3: Any, bucket: str
) -> None:
    made = folio_with_s3(
        s3_endpoint, "backup", "--to", f"s3://{bucket}/nightly", "--data-dir", filled
    )
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    target = tmp_path / "restored"
    verified = folio_with_s3(s3_endpoint, "backup", "--verify", report["url"])
    restored = folio_with_s3(
        s3_endpoint, "restore", "--from", f"s3://{bucket}/nightly/", "--data-dir", target
    )

    [key] = object_names(s3, bucket)
    assert report["url"] == f"s3://{bucket}/{key}"
    assert key.startswith("nightly/folio-backup-") and key.endswith(".tar")
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == report["bytes"]
    assert verified.returncode == 0 and json.loads(verified.stdout)["files"] == report["files"]
    assert restored.returncode == 0, restored.stderr
    assert tree(target / "blobs") == tree(filled / "blobs")
    assert (target / "jwt-keys.json").read_text() == '{"keys": []}'
    query = "SELECT version_num FROM alembic_version"
    assert rows(target / "folio.db", query) == rows(filled / "folio.db", query)
    leftovers = [p.name for p in [*filled.iterdir(), *tmp_path.iterdir()] if "staging" in p.name]
    assert leftovers == []


def test_a_large_archive_goes_up_in_parts_and_comes_back_whole(
    filled: Path, tmp_path: Path, s3_endpoint: str, s3: Any, bucket: str
) -> None:
    big = filled / "blobs" / "doc_01big" / "original.tiff"
    big.parent.mkdir(parents=True)
    big.write_bytes(os.urandom(PART_BYTES + 1024 * 1024))

    made = upload_backup(s3_settings(filled, s3_endpoint), f"s3://{bucket}/big")
    restore_from_s3(s3_settings(tmp_path / "restored", s3_endpoint), made.url)

    key = S3Location.parse(made.url).key
    etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    assert etag.strip('"').endswith("-2")  # S3 marks a multipart object's ETag with its parts
    assert tree(tmp_path / "restored" / "blobs") == tree(filled / "blobs")


def test_keep_deletes_the_oldest_backups_and_nothing_else(
    filled: Path, s3_endpoint: str, s3: Any, bucket: str
) -> None:
    settings = s3_settings(filled, s3_endpoint)
    s3.put_object(Bucket=bucket, Key="nightly/notes.txt", Body=b"mine")
    s3.put_object(Bucket=bucket, Key="nightly/deeper/folio-backup-x.tar", Body=b"other")
    made = [upload_backup(settings, f"s3://{bucket}/nightly").url for _ in range(3)]

    removed = prune_s3_backups(s3, f"s3://{bucket}/nightly", keep=2)

    assert removed == made[:1]
    kept = list_s3_backups(s3, S3Location(bucket, "nightly/"))
    assert [f"s3://{bucket}/{key}" for key in kept] == made[1:]
    assert "nightly/notes.txt" in object_names(s3, bucket)
    assert "nightly/deeper/folio-backup-x.tar" in object_names(s3, bucket)


def _tar_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not a tar at all" * 100, "the archive is damaged"),
        (_tar_of({"../escape.txt": b"x"}), "the archive is damaged"),
        (_tar_of({"folio-backup-1/folio.db": b"x"}), "manifest"),
    ],
    ids=["garbage", "path-outside", "no-manifest"],
)
def test_a_bad_object_is_refused_and_nothing_is_restored(
    tmp_path: Path, s3_endpoint: str, s3: Any, bucket: str, body: bytes, message: str
) -> None:
    key = "nightly/folio-backup-20261207T000000000000Z.tar"
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    target = tmp_path / "restored"

    with pytest.raises(BackupError, match=message):
        restore_from_s3(s3_settings(target, s3_endpoint), f"s3://{bucket}/{key}")

    assert not target.exists() or not any(target.iterdir())
    assert not (tmp_path / "escape.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_s3_errors_are_named_not_raised(filled: Path, s3_endpoint: str, bucket: str) -> None:
    settings = s3_settings(filled, s3_endpoint)

    with pytest.raises(BackupError, match="NoSuchBucket"):
        upload_backup(settings, "s3://no-such-bucket-here/nightly")
    with pytest.raises(BackupError, match="no backup under"):
        restore_from_s3(s3_settings(filled.parent / "empty", s3_endpoint), f"s3://{bucket}/x")
    with pytest.raises(BackupError, match="not an S3 location"):
        upload_backup(settings, "s3://")


def test_the_schedule_uploads_when_due_and_keeps_the_newest(
    filled: Path, s3_endpoint: str, s3: Any, bucket: str
) -> None:
    url = f"s3://{bucket}/scheduled"
    daily = s3_settings(filled, s3_endpoint).model_copy(
        update={"backup_interval_s": 3600, "backup_keep": 1}
    )
    always = daily.model_copy(update={"backup_interval_s": 0.001})

    first = s3_backup_if_due(daily, url)
    not_due = s3_backup_if_due(daily, url)
    due = s3_backup_if_due(always, url)

    assert first is not None and not_due is None and due is not None and due != first
    assert object_names(s3, bucket) == [S3Location.parse(due).key]


def test_an_archive_that_cannot_be_written_uploads_nothing(
    tmp_path: Path, s3: Any, bucket: str
) -> None:
    with pytest.raises(BackupError, match="writing the archive failed"):
        _stream_tar(s3, tmp_path / "vanished", bucket, "nightly/folio-backup-x.tar")

    assert object_names(s3, bucket) == []
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_staging_directory_a_crash_left_is_removed(
    filled: Path, s3_endpoint: str, bucket: str
) -> None:
    stale = filled / (STAGING + "crashed")
    (stale / "folio-backup-x").mkdir(parents=True)
    os.utime(stale, (time.time() - 2 * 86400,) * 2)

    upload_backup(s3_settings(filled, s3_endpoint), f"s3://{bucket}/nightly")

    assert [p.name for p in filled.iterdir() if p.name.startswith(STAGING)] == []
