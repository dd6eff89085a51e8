"""``S3BlobStorage`` against a real S3-compatible server over HTTP (see conftest)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from pydantic import ValidationError

from folio.config import Settings
from folio.core.s3storage import MIN_PART_SIZE, BlobStoreError, ReadThroughCache, S3BlobStorage
from folio.core.storage import BlobTooLarge, LocalBlobStorage, build_blob_storage
from tests.e2e.server import free_port
from tests.storage_s3.conftest import (
    ACCESS_KEY_ID,
    REGION,
    SECRET_ACCESS_KEY,
    cached_files,
    object_names,
)

MIB = 1024 * 1024


def payload(size: int, seed: int = 0) -> bytes:
    block = hashlib.sha256(f"folio-{seed}".encode()).digest()
    return (block * (size // len(block) + 1))[:size]


class TestPutStream:
    def test_round_trip(self, storage: S3BlobStorage, s3: Any, bucket: str) -> None:
        data = payload(300_000)
        stored = storage.put_stream("team/doc/original", io.BytesIO(data), max_bytes=MIB)

        assert (stored.key, stored.size) == ("team/doc/original", len(data))
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert object_names(s3, bucket) == ["folio/team/doc/original"]
        raw = s3.get_object(Bucket=bucket, Key="folio/team/doc/original")["Body"].read()
        assert raw == data
        with storage.open("team/doc/original") as handle:
            assert handle.read() == data
        assert b"".join(storage.iter_chunks("team/doc/original")) == data
        assert storage.local_path("team/doc/original").read_bytes() == data

    def test_large_body_goes_up_in_parts(self, s3: Any, bucket: str, cache_dir: Path) -> None:
        storage = S3BlobStorage(
            s3, bucket, ReadThroughCache(cache_dir, 64 * MIB), part_size=MIN_PART_SIZE
        )
        data = payload(12 * MIB + 12_345, seed=1)

        stored = storage.put_stream("big/original", io.BytesIO(data), max_bytes=13 * MIB)

        assert stored.size == len(data)
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        etag = s3.head_object(Bucket=bucket, Key="big/original")["ETag"]
        assert etag.strip('"').endswith("-3")  # 5 + 5 + 2 MiB: a multipart object
        streamed = hashlib.sha256(b"".join(storage.iter_chunks("big/original"))).hexdigest()
        assert streamed == stored.sha256

    def test_empty_body(self, storage: S3BlobStorage) -> None:
        stored = storage.put_stream("empty", io.BytesIO(b""), max_bytes=10)

        assert (stored.size, stored.sha256) == (0, hashlib.sha256(b"").hexdigest())
        assert storage.exists("empty")
        assert b"".join(storage.iter_chunks("empty")) == b""

    def test_size_cap_rejects_and_leaves_nothing(
        self, s3: Any, bucket: str, cache_dir: Path
    ) -> None:
        storage = S3BlobStorage(
            s3, bucket, ReadThroughCache(cache_dir, 64 * MIB), part_size=MIN_PART_SIZE
        )
        data = payload(12 * MIB, seed=2)  # two 5 MiB parts are uploaded before the cap

        with pytest.raises(BlobTooLarge) as refused:
            storage.put_stream("big/original", io.BytesIO(data), max_bytes=11 * MIB)

        assert refused.value.limit == 11 * MIB
        assert object_names(s3, bucket) == []
        assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
        assert not storage.exists("big/original")
        assert cached_files(cache_dir) == []
        assert list((cache_dir / ".tmp").iterdir()) == []

    def test_size_cap_of_a_single_part_body(
        self, storage: S3BlobStorage, s3: Any, bucket: str
    ) -> None:
        with pytest.raises(BlobTooLarge):
            storage.put_stream("small", io.BytesIO(payload(2 * MIB)), max_bytes=MIB)

        assert object_names(s3, bucket) == []

    def test_exactly_the_cap_is_accepted(self, storage: S3BlobStorage) -> None:
        stored = storage.put_stream("exact", io.BytesIO(payload(MIB)), max_bytes=MIB)

        assert stored.size == MIB

    def test_upload_keeps_a_local_copy(self, storage: S3BlobStorage, s3: Any, bucket: str) -> None:
        """The pipeline's first read right after an upload needs no download."""
        data = payload(4096, seed=3)
        storage.put_stream("doc/original", io.BytesIO(data), max_bytes=MIB)
        s3.delete_object(Bucket=bucket, Key="folio/doc/original")  # only the copy is left

        assert storage.local_path("doc/original").read_bytes() == data

    def test_upload_larger_than_the_cache_keeps_no_copy(
        self, s3: Any, bucket: str, cache_dir: Path
    ) -> None:
        storage = S3BlobStorage(s3, bucket, ReadThroughCache(cache_dir, 100_000))

        storage.put_stream("doc/original", io.BytesIO(payload(200_000)), max_bytes=MIB)

        assert cached_files(cache_dir) == []
        assert list((cache_dir / ".tmp").iterdir()) == []
        assert storage.local_path("doc/original").stat().st_size == 200_000  # downloaded

    @pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a", "a/."])
    def test_invalid_keys(self, storage: S3BlobStorage, key: str) -> None:
        with pytest.raises(ValueError, match="invalid blob key"):
            storage.put_stream(key, io.BytesIO(b"x"), max_bytes=10)


class TestReads:
    def test_missing_blob(self, storage: S3BlobStorage) -> None:
        with pytest.raises(FileNotFoundError):
            storage.open("nope")
        with pytest.raises(FileNotFoundError):
            b"".join(storage.iter_chunks("nope"))
        with pytest.raises(FileNotFoundError):
            storage.local_path("nope")
        assert list((storage.cache.root / ".tmp").iterdir()) == []

    def test_local_path_downloads_once(self, storage: S3BlobStorage, s3: Any, bucket: str) -> None:
        data = payload(50_000, seed=4)
        s3.put_object(Bucket=bucket, Key="folio/team/x.pdf", Body=data)

        first = storage.local_path("team/x.pdf")
        s3.delete_object(Bucket=bucket, Key="folio/team/x.pdf")
        second = storage.local_path("team/x.pdf")

        assert first == second
        assert first.suffix == ".pdf"
        assert first.read_bytes() == data
        assert first.is_relative_to(storage.cache.root)

    def test_open_prefers_the_local_copy(self, storage: S3BlobStorage) -> None:
        storage.put_stream("doc/original", io.BytesIO(b"hello"), max_bytes=10)

        with storage.open("doc/original") as handle:
            assert handle.read() == b"hello"
            assert Path(handle.name) == storage.cache.path_for("doc/original")  # type: ignore[attr-defined]


class TestDelete:
    def test_exists_and_delete(self, storage: S3BlobStorage, s3: Any, bucket: str) -> None:
        storage.put_stream("doc/original", io.BytesIO(b"data"), max_bytes=10)
        assert storage.exists("doc/original")
        assert not storage.exists("doc/other")

        storage.delete("doc/original")
        storage.delete("doc/original")  # deleting again is fine

        assert not storage.exists("doc/original")
        assert object_names(s3, bucket) == []
        assert cached_files(storage.cache.root) == []

    def test_delete_prefix_removes_one_folder(
        self, storage: S3BlobStorage, s3: Any, bucket: str
    ) -> None:
        for key in ("team/doc1/original", "team/doc1/redactions/r1.pdf", "team/doc10/original"):
            storage.put_stream(key, io.BytesIO(key.encode()), max_bytes=100)

        storage.delete_prefix("team/doc1")

        assert object_names(s3, bucket) == ["folio/team/doc10/original"]
        assert cached_files(storage.cache.root) == [storage.cache.path_for("team/doc10/original")]
        storage.delete_prefix("team/nothing-here")  # no objects: nothing to do

    def test_delete_prefix_past_one_listing_page(
        self, storage: S3BlobStorage, s3: Any, bucket: str
    ) -> None:
        names = [f"folio/crawls/p1/{i:04}.jpg" for i in range(1005)]
        with ThreadPoolExecutor(max_workers=8) as threads:
            list(threads.map(lambda name: s3.put_object(Bucket=bucket, Key=name, Body=b"x"), names))

        storage.delete_prefix("crawls/p1/")

        assert object_names(s3, bucket) == []


class TestCache:
    def fill(self, s3: Any, bucket: str, keys: list[str], size: int) -> None:
        for index, key in enumerate(keys):
            s3.put_object(Bucket=bucket, Key=key, Body=payload(size, seed=index))

    def test_least_recently_used_is_evicted(self, s3: Any, bucket: str, cache_dir: Path) -> None:
        cache = ReadThroughCache(cache_dir, 3 * MIB, grace_s=0)
        storage = S3BlobStorage(s3, bucket, cache)
        self.fill(s3, bucket, ["a", "b", "c", "d"], MIB)

        for key in ("a", "b", "c", "a"):  # "a" used again: "b" is now the oldest
            storage.local_path(key)
            time.sleep(0.02)
        storage.local_path("d")

        assert cache.size() <= 3 * MIB
        assert sorted(cached_files(cache_dir)) == sorted(cache.path_for(k) for k in "acd")
        assert storage.local_path("b").read_bytes() == payload(MIB, seed=1)  # fetched again
        assert cache.size() <= 3 * MIB
        assert not cache.path_for("c").exists()  # now the oldest

    def test_recently_used_copies_outlast_the_budget(
        self, s3: Any, bucket: str, cache_dir: Path
    ) -> None:
        """A job may still be about to open a path it was handed: within the grace time
        the cache runs over its budget rather than pull a file from under it."""
        cache = ReadThroughCache(cache_dir, MIB, grace_s=60)
        storage = S3BlobStorage(s3, bucket, cache)
        self.fill(s3, bucket, ["a", "b"], MIB)
        path_a = storage.local_path("a")
        storage.local_path("b")
        assert path_a.exists()

        past = time.time() - 120
        os.utime(path_a, (past, past))
        cache.evict()

        assert not path_a.exists()
        assert cached_files(cache_dir) == [cache.path_for("b")]

    def test_a_copy_larger_than_the_budget_is_still_handed_out(
        self, s3: Any, bucket: str, cache_dir: Path
    ) -> None:
        cache = ReadThroughCache(cache_dir, 1000, grace_s=0)
        storage = S3BlobStorage(s3, bucket, cache)
        self.fill(s3, bucket, ["a", "b"], 5000)

        assert storage.local_path("a").stat().st_size == 5000
        storage.local_path("b")

        assert cached_files(cache_dir) == [cache.path_for("b")]

    def test_stale_partial_downloads_are_removed(self, cache_dir: Path) -> None:
        ReadThroughCache(cache_dir, MIB)
        stale, fresh = cache_dir / ".tmp" / "stale", cache_dir / ".tmp" / "fresh"
        stale.write_bytes(b"x")
        fresh.write_bytes(b"x")
        past = time.time() - 2 * 3600
        os.utime(stale, (past, past))

        ReadThroughCache(cache_dir, MIB)

        assert not stale.exists() and fresh.exists()


class TestCheckWritable:
    def test_writable_bucket(self, storage: S3BlobStorage, s3: Any, bucket: str) -> None:
        storage.check_writable()

        assert object_names(s3, bucket) == []  # the probe is removed

    def test_missing_bucket_is_an_os_error(self, s3: Any, cache_dir: Path) -> None:
        storage = S3BlobStorage(s3, "no-such-bucket-here", ReadThroughCache(cache_dir, MIB))

        with pytest.raises(BlobStoreError, match="NoSuchBucket"):
            storage.check_writable()

    def test_unreachable_store_is_an_os_error(self, cache_dir: Path) -> None:
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(retries={"max_attempts": 1}, connect_timeout=1),
        )
        storage = S3BlobStorage(client, "bucket", ReadThroughCache(cache_dir, MIB))

        with pytest.raises(BlobStoreError, match="unavailable"):
            storage.check_writable()


class TestFactory:
    def test_local_is_the_default(self, tmp_path: Path) -> None:
        settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]

        storage = build_blob_storage(settings)

        assert isinstance(storage, LocalBlobStorage)
        assert storage.root == (tmp_path / "blobs").resolve()

    def test_s3_from_settings(self, tmp_path: Path, s3_endpoint: str, bucket: str) -> None:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            data_dir=tmp_path,
            storage_backend="s3",
            s3_endpoint_url=s3_endpoint,
            s3_bucket=bucket,
            s3_prefix="tenant-a",
            s3_region=REGION,
            s3_access_key_id=ACCESS_KEY_ID,
            s3_secret_access_key=SECRET_ACCESS_KEY,
            s3_cache_bytes=1234,
        )

        storage = build_blob_storage(settings)

        assert isinstance(storage, S3BlobStorage)
        assert storage.object_name("a/b") == "tenant-a/a/b"
        assert storage.cache.root == (tmp_path / "s3-cache").resolve()
        assert storage.cache.max_bytes == 1234
        storage.check_writable()
        assert not (tmp_path / "blobs").exists()

    def test_s3_without_bucket_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="FOLIO_S3_BUCKET"):
            Settings(_env_file=None, data_dir=tmp_path, storage_backend="s3")  # type: ignore[call-arg]

    def test_half_a_key_pair_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="FOLIO_S3_SECRET_ACCESS_KEY"):
            Settings(  # type: ignore[call-arg]
                _env_file=None, s3_bucket="b", storage_backend="s3", s3_access_key_id="x"
            )
