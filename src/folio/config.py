"""Settings from ``FOLIO_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _plan_limits() -> dict[str, dict[str, int | None]]:
    return {
        "free": {"api_keys": 10, "teams": 3},
        "pro": {"api_keys": 100, "teams": 20},
        "enterprise": {"api_keys": 1_000, "teams": 200},
    }


def _quota_plans() -> dict[str, dict[str, int | None]]:
    return {
        "free": {
            "api_calls": 100_000,
            "documents_processed": 5_000,
            "storage_bytes": 10 * 1024**3,
        },
        "pro": {
            "api_calls": 1_000_000,
            "documents_processed": 50_000,
            "storage_bytes": 100 * 1024**3,
        },
        "enterprise": {"api_calls": None, "documents_processed": None, "storage_bytes": None},
    }


class Settings(BaseSettings):
    # hide_input: a settings error must not print the secrets it was given
    model_config = SettingsConfigDict(
        env_prefix="FOLIO_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

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
    # Scale-out (docs/deployment.md): "local" runs the pool above inside `folio serve`;
    # "celery" leaves jobs to `folio worker` processes fed through the broker.
    executor: Literal["local", "celery"] = "local"
    celery_broker_url: str | None = None  # default: redis_url
    storage_dir: Path | None = None  # blobs; default data_dir/blobs (a shared directory)
    # blobs in a directory ("local", storage_dir) or an S3-compatible object store ("s3")
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None  # e.g. http://minio:9000; unset: AWS S3
    s3_bucket: str | None = None  # required with storage_backend="s3"
    s3_prefix: str = ""  # keys are stored under this prefix ("folio/" ...)
    s3_region: str | None = None
    s3_access_key_id: str | None = None  # unset: the standard AWS chain (AWS_* env, profile, role)
    s3_secret_access_key: str | None = None
    s3_cache_dir: Path | None = None  # local copies for the pipeline; default data_dir/s3-cache
    s3_cache_bytes: int = Field(default=2 * 1024**3, ge=0)  # least recently used evicted beyond
    job_lease_s: float = Field(default=30.0, gt=0)  # a Celery job's claim lapses unless renewed
    job_fair_share: int = Field(default=4, ge=1)  # jobs per team and priority in the broker
    db_pool_size: int = Field(default=10, ge=1)
    db_connect_timeout_s: float = Field(default=5.0, gt=0)

    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    max_batch_files: int = Field(default=1000, gt=0)
    max_batch_bytes: int = Field(default=2 * 1024 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=2000, gt=0)
    max_image_pixels: int = Field(default=89_478_485, gt=0)
    max_decompression_ratio: float = Field(default=200.0, gt=0)
    ocr_dpi: int = Field(default=300, ge=72, le=600)

    long_poll_max_s: float = Field(default=60.0, ge=0)
    # understanding: classification, entities, PII, security, compliance, summary, insights
    analysis_enabled: bool = True  # the default for uploads that do not say
    # a team's trained classifier decides the document type when at least this sure
    classifier_min_confidence: float = Field(default=0.6, ge=0, le=1)
    # optional OpenAI-compatible chat-completions endpoint for abstractive summaries
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:8080/v1
    llm_api_key: str | None = None
    llm_model: str | None = None
    llm_timeout_s: float = Field(default=30.0, gt=0)

    # Rate limits (folio.ratelimit): counters in memory, or in Redis when redis_url is set.
    redis_url: str | None = None
    rate_limit_enabled: bool = True
    # plan -> requests per minute, hour and day (seed 000's tiers); unknown plans use "free"
    rate_limit_plans: dict[str, dict[str, int]] = Field(
        default_factory=lambda: {
            "free": {"minute": 60, "hour": 1_000, "day": 10_000},
            "pro": {"minute": 300, "hour": 10_000, "day": 100_000},
            "enterprise": {"minute": 1_000, "hour": 50_000, "day": 1_000_000},
        }
    )
    rate_limit_anonymous_plan: str = "free"  # per client IP, for calls without a credential
    # Quotas per team and calendar month (folio.usage); null means unlimited.
    quota_plans: dict[str, dict[str, int | None]] = Field(default_factory=_quota_plans)
    plan_limits: dict[str, dict[str, int | None]] = Field(
        default_factory=_plan_limits,
        description="Per plan: api_keys, the keys of a team that are not revoked, and teams, "
        "the teams a user created that still exist (their personal team included; the most "
        "generous plan among the teams they own applies). null: unlimited; unknown plans "
        "use free's",
    )
    usage_retention_days: int = Field(default=400, ge=1)  # aggregated per-day request log
    # Audit (folio.audit): entries are buffered and written in batches.
    audit_flush_interval_s: float = Field(default=1.0, gt=0)
    audit_batch_size: int = Field(default=500, ge=1)
    audit_retention_days: int = Field(default=365, ge=0)  # 0 keeps entries forever

    # real time
    ws_max_connections_per_user: int = Field(default=5, ge=1)
    ws_queue_size: int = Field(default=1000, ge=1)  # per connection; past it the client is dropped
    ws_auth_timeout_s: float = Field(default=10.0, gt=0)
    event_retention_days: int = Field(default=7, ge=1)
    analytics_realtime_interval_s: float = Field(default=10.0, ge=0)  # 0: no analytics.realtime
    share_link_max_ttl_s: int = Field(default=30 * 24 * 3600, ge=60)  # longest a share link lives

    # webhooks
    webhook_allowed_hosts: list[str] = Field(default_factory=list)  # intranet hosts or CIDRs
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_poll_s: float = Field(default=1.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_retry_base_s: float = Field(default=10.0, gt=0)
    webhook_retry_max_s: float = Field(default=3600.0, gt=0)
    webhook_disable_after_failures: int = Field(default=20, ge=1)
    webhook_max_redirects: int = Field(default=3, ge=0)

    # image dataset builder (folio.webcrawl, folio.crawls): outbound fetches refuse private,
    # loopback and link-local addresses unless a host or CIDR is listed here
    crawler_allowed_hosts: list[str] = Field(default_factory=list)
    crawler_timeout_s: float = Field(default=15.0, gt=0)
    crawler_retries: int = Field(default=2, ge=0, le=10)
    crawler_backoff_s: float = Field(default=0.5, ge=0)
    crawler_max_redirects: int = Field(default=5, ge=0, le=20)
    crawler_max_image_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    crawler_per_host_concurrency: int = Field(default=8, ge=1)
    crawler_per_host_interval_s: float = Field(default=0.0, ge=0)
    crawler_max_crawl_delay_s: float = Field(default=10.0, ge=0)  # caps robots.txt Crawl-delay
    crawler_chunk_lease_s: float = Field(default=60.0, gt=0)  # a dead process's chunks rerun after
    crawler_downloads_per_chunk: int = Field(default=16, ge=1)  # in flight at once
    crawler_max_running_chunks: int = Field(default=4, ge=0)  # per process; 0: no crawling
    crawler_poll_s: float = Field(default=1.0, gt=0)
    crawler_phash_threshold: int = Field(default=8, ge=0, le=32)  # Hamming distance
    credits_initial_grant: int = Field(
        default=0,
        ge=0,
        description="Credits granted to every new team when its credit account opens (0: "
        "none; a system administrator grants credits with POST /api/v1/credits/grants)",
    )
    openverse_api_url: str = "https://api.openverse.org/v1"
    wikimedia_api_url: str = "https://commons.wikimedia.org/w/api.php"

    # identity
    public_url: str = "http://127.0.0.1:8000"  # base of links in e-mails
    jwt_secret: str | None = None  # share one across API machines; default: key file in data_dir
    access_token_ttl_s: int = Field(default=15 * 60, gt=0)
    refresh_token_ttl_s: int = Field(default=7 * 24 * 3600, gt=0)
    # per account and client address in a moving window of login_lockout_s: an attacker
    # elsewhere cannot lock the owner out with a few wrong passwords
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_s: int = Field(default=15 * 60, ge=1)
    # from any address, then the whole account is locked for login_lockout_s
    login_max_failures_account: int = Field(default=50, ge=1)
    mfa_max_failures: int = Field(default=5, ge=1)  # wrong codes, then the account is locked
    login_max_failures_per_ip: int = Field(default=20, ge=1)  # per IP and window
    login_ip_window_s: int = Field(default=15 * 60, ge=1)
    api_key_last_used_resolution_s: int = Field(default=60, ge=1)
    # resolved credentials kept per API process; 0 turns the cache off (folio.auth.principal_cache)
    auth_cache_ttl_s: float = Field(default=5.0, ge=0)
    admin_email: str = "admin@folio.local"  # first start creates this admin
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Folio <folio@localhost>"
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'folio.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "blobs"

    @property
    def s3_cache_path(self) -> Path:
        return self.s3_cache_dir or self.data_dir / "s3-cache"

    @model_validator(mode="after")
    def _check_storage(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("FOLIO_STORAGE_BACKEND=s3 needs FOLIO_S3_BUCKET (the blob bucket)")
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            raise ValueError(
                "set both FOLIO_S3_ACCESS_KEY_ID and FOLIO_S3_SECRET_ACCESS_KEY, or neither "
                "(then the standard AWS credential chain applies)"
            )
        return self

    @property
    def broker_url(self) -> str | None:
        return self.celery_broker_url or self.redis_url

    @property
    def key_file(self) -> Path:
        return self.data_dir / "jwt-keys.json"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
