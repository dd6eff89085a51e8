"""Settings from ``FOLIO_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLIO_", env_file=".env", extra="ignore")

    data_dir: Path = Path("folio-data")
    database_url: str | None = None  # default: SQLite file in data_dir
    host: str = "127.0.0.1"
    port: int = 8000

    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)
    worker_max_jobs: int = Field(default=200, ge=1)  # recycle a worker process after N jobs
    worker_max_rss_mb: int = Field(default=2048, ge=64)  # ... or when its memory grows past this
    worker_prestart: bool = True
    job_time_limit_s: float = Field(default=600.0, gt=0)
    job_max_attempts: int = Field(default=2, ge=1)
    dispatcher_poll_s: float = Field(default=1.0, gt=0)

    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    max_batch_files: int = Field(default=1000, gt=0)
    max_batch_bytes: int = Field(default=2 * 1024 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=2000, gt=0)
    max_image_pixels: int = Field(default=89_478_485, gt=0)
    max_decompression_ratio: float = Field(default=200.0, gt=0)
    ocr_dpi: int = Field(default=300, ge=72, le=600)

    long_poll_max_s: float = Field(default=60.0, ge=0)
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'folio.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
