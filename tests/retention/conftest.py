"""The S3-compatible server of tests/storage_s3, for the purge on S3 storage."""

from tests.storage_s3.conftest import bucket, s3, s3_endpoint

__all__ = ["bucket", "s3", "s3_endpoint"]
