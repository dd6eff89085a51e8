"""Settings from ``FOLIO_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from folio.core.crypto import KeyRing

CORS_ORIGIN = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]]+)(:\d{1,5})?$")


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
    worker_start_method: Literal["spawn", "forkserver"] = "spawn"
    worker_memory_limit_mb: int = Field(
        default=2048,
        ge=0,
        description="Address-space limit (RLIMIT_AS) of each pipeline worker and template "
        "sandbox process, in MB; 0 disables. A document that needs more fails with "
        "RESOURCE_LIMIT. Counts virtual memory: leave room for libraries and threads.",
    )
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
    backup_dir: Path | None = None  # scheduled backups go here; unset: none are made
    backup_interval_s: float = Field(default=24 * 3600, gt=0)
    backup_keep: int = Field(default=7, ge=1)
    backup_s3_url: str | None = Field(default=None, pattern=r"^s3://")  # scheduled, to S3
    report_mail_attach_max_bytes: int = Field(default=10 * 1024**2, ge=0)  # larger: link only
    web_refresh_reuse_grace_s: float = Field(
        default=30.0,
        ge=0,
        le=300,
        description="The browser app's refresh cookie, once spent, is accepted again for this "
        "long (a reload or a second tab that lost the rotated cookie) before a reuse ends the "
        "session; API refresh tokens get no grace",
    )
    report_render_time_limit_s: float = Field(
        default=300.0,
        gt=0,
        description="Wall-clock limit for drawing one report file (CSV, XLSX or PDF) in its "
        "worker process; past it the process is killed and the attempt fails (three attempts)",
    )
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
    max_unpacked_ratio: float = Field(
        default=100.0,
        gt=0,
        description="Office files (DOCX, XLSX, PPTX): their parts may unpack to at most this "
        "many times the file's size (but always to unpacked_floor_mb), or DOCUMENT_TOO_LARGE.",
    )
    unpacked_floor_mb: int = Field(
        default=10, ge=1, description="Unpacked size any office file may reach, however small"
    )
    max_nesting_depth: int = Field(
        default=1000,
        ge=16,
        description="Deepest element nesting of HTML (and e-mail HTML) parsed; deeper fails "
        "with RESOURCE_LIMIT before parsing, whose cost grows with the square of the depth.",
    )
    # User templates applied for API requests run in sandbox processes (folio.core.sandbox)
    template_workers: int = Field(
        default=2, ge=1, description="Sandbox processes applying templates for API requests"
    )
    template_apply_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Wall-clock limit of one apply (or validate) request in its sandbox "
        "process; past it the process is killed and the request answers 422 RESOURCE_LIMIT.",
    )
    template_regex_budget_s: float = Field(
        default=2.0,
        gt=0,
        description="Total time the regular expressions of one apply may take, over all its "
        "documents (each match is also limited to 0.25 s); past it, 422 RESOURCE_LIMIT.",
    )

    # Zero-retention processing (POST /api/v1/documents/process): run at once in sandbox
    # processes (folio.core.sandbox), answered in the response, nothing stored
    process_workers: int = Field(
        default=1,
        ge=1,
        description="Processes running zero-retention requests (`POST "
        "/api/v1/documents/process`), started on first use; a request that finds none free "
        "within the time limit answers 503",
    )
    process_time_limit_s: float = Field(
        default=60.0,
        gt=0,
        description="Wall-clock limit of one zero-retention request's processing; past it "
        "the process is killed and replaced, and the request answers 422 PROCESSING_TIMEOUT",
    )
    process_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        description="Largest file a zero-retention request accepts (413 PAYLOAD_TOO_LARGE, "
        "refused while reading); also bounded by max_upload_bytes",
    )
    process_max_pages: int = Field(
        default=50,
        gt=0,
        description="Most pages a zero-retention request processes (422 TOO_MANY_PAGES); "
        "also bounded by max_pages",
    )

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
    # extracted fields below this (calibrated) confidence are marked for review
    extraction_review_below: float = Field(default=0.8, ge=0, le=1)

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
    ws_reauth_interval_s: float = Field(
        default=60.0,
        gt=0,
        description="How often each open WebSocket connection re-checks its key or session, "
        "team membership and permissions in the database, besides the re-check every "
        "access change triggers at once: the longest a missed change goes unnoticed.",
    )
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

    # automation rules (folio.automations)
    automation_poll_s: float = Field(default=1.0, gt=0)
    automation_lease_s: float = Field(default=60.0, gt=0)
    automation_max_attempts: int = Field(default=5, ge=1, le=50)
    automation_retry_base_s: float = Field(default=5.0, gt=0)
    automation_retry_max_s: float = Field(default=600.0, gt=0)
    automation_max_depth: int = Field(default=3, ge=1, le=10)

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
    registration: Literal["open", "invite", "closed"] = "open"
    retention_purge_interval_s: float = Field(default=3600.0, ge=0)
    workflow_reminder_interval_s: float = Field(default=300.0, ge=0)
    # LDAP directories (folio.directory): the servers a team's directory may reach although
    # they are loopback, private or link-local, the time allowed per LDAP operation, and how
    # often the periodic sync looks for directories that are due
    ldap_allowed_hosts: list[str] = Field(default_factory=list)
    ldap_timeout_s: float = Field(default=10.0, gt=0, le=300)
    directory_sync_check_s: float = Field(default=60.0, ge=0)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Folio <folio@localhost>"
    log_level: str = "INFO"
    log_json: bool = True

    # API hardening (docs/operations/security.md)
    cors_allow_origins: list[str] = Field(
        default_factory=list,
        description='Browser origins (JSON list, e.g. ["https://app.example.com"]) whose '
        "scripts may call the API; empty: CORS is off and browsers allow only same-origin calls; "
        '["*"]: any origin (never with credentials)',
    )
    cors_allow_methods: list[str] = Field(
        default_factory=lambda: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        description="Methods a cross-origin caller may use (JSON list)",
    )
    cors_allow_headers: list[str] = Field(
        default_factory=lambda: [
            "Authorization",
            "Content-Type",
            "X-API-Key",
            "X-Team-ID",
            "X-Request-ID",
            "Idempotency-Key",
        ],
        description="Request headers a cross-origin caller may send (JSON list)",
    )
    cors_expose_headers: list[str] = Field(
        default_factory=lambda: [
            "X-Request-ID",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
            "Location",
        ],
        description="Response headers a cross-origin script may read (JSON list)",
    )
    cors_allow_credentials: bool = Field(
        default=False,
        description="Let browsers send cookies with cross-origin calls; off unless you need it "
        "(API keys and tokens go in headers)",
    )
    cors_max_age_s: int = Field(
        default=600, ge=0, description="How long a browser may reuse a preflight answer"
    )
    hsts_max_age_s: int = Field(
        default=365 * 24 * 3600,
        ge=0,
        description="Strict-Transport-Security max-age sent on answers to HTTPS requests (the "
        "request's scheme, or X-Forwarded-Proto from a trusted proxy); 0: no HSTS header",
    )
    hsts_include_subdomains: bool = Field(
        default=False, description="Add includeSubDomains to the Strict-Transport-Security header"
    )
    api_keys_require_ip_allowlist: bool = Field(
        default=False,
        description="Installation-wide: every API key needs an IP allow-list; creating one "
        "without is refused (422) and keys without one are refused at use (403). A team can "
        "also require it for its own keys (team setting require_key_ip_allowlist)",
    )
    encryption_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Field-level encryption at rest (JSON map of key id to a base64 32-byte "
        "key; `folio encryption new-key` makes one): personal data in results and webhook "
        "secrets are stored AES-256-GCM encrypted; empty: stored as plaintext",
    )
    encryption_active_key: str | None = Field(
        default=None,
        description="The key id new values are encrypted with; required when "
        "FOLIO_ENCRYPTION_KEYS names more than one (rotation)",
    )

    # operations (docs/operations/metrics.md): Prometheus metrics and health probes
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token a Prometheus scraper sends to GET /metrics; unset: only a "
        "system admin's credential may read it",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="Directory where every process (API, pipeline workers, Celery) writes its "
        "metrics for one scrape to add up; PROMETHEUS_MULTIPROC_DIR wins; default "
        "data_dir/metrics. `folio serve` empties it at start",
    )
    metrics_listen: str | None = Field(
        default=None,
        description="host:port of a separate listener serving /metrics without credentials, "
        "for an admin-only network (e.g. 127.0.0.1:9464); unset: none",
    )
    health_min_free_disk_mb: int = Field(
        default=1024,
        ge=0,
        description="/health/ready reports degraded when the data directory's disk has less "
        "free space than this",
    )
    health_max_queue_age_s: float = Field(
        default=600.0,
        gt=0,
        description="/health/ready reports degraded when the oldest queued job waits longer",
    )
    health_probe_timeout_s: float = Field(
        default=0.5,
        gt=0,
        description="How long /health/ready waits for Redis and for Celery workers to answer "
        "(a Celery ping always waits this long, to count the workers)",
    )
    sso_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDRs (JSON list) an OIDC identity provider may be reached at "
        "although they are loopback, private or link-local (an intranet Keycloak)",
    )
    sso_timeout_s: float = Field(
        default=10.0, gt=0, description="Time allowed for one request to an identity provider"
    )
    sso_flow_ttl_s: int = Field(
        default=600,
        ge=30,
        description="How long a started SSO sign-in (its state, nonce and PKCE verifier) "
        "may wait for the provider's answer",
    )
    sso_metadata_ttl_s: int = Field(
        default=3600,
        ge=0,
        description="How long a provider's discovery document and signing keys are cached "
        "(an unknown key id fetches the keys again at once)",
    )

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

    @model_validator(mode="after")
    def _check_hardening(self) -> Settings:
        for origin in self.cors_allow_origins:
            if origin != "*" and not CORS_ORIGIN.match(origin):
                raise ValueError(
                    f"FOLIO_CORS_ALLOW_ORIGINS: {origin!r} is not an origin (scheme://host[:port])"
                )
        if self.cors_allow_credentials and "*" in self.cors_allow_origins:
            raise ValueError("FOLIO_CORS_ALLOW_CREDENTIALS needs listed origins, not '*'")
        self.keyring()  # a bad key stops the start here, not each request later
        return self

    def keyring(self) -> KeyRing:
        keys = {kid: value.get_secret_value() for kid, value in self.encryption_keys.items()}
        return KeyRing.from_config(keys, self.encryption_active_key)

    @property
    def metrics_path(self) -> Path:
        return self.metrics_dir or self.data_dir / "metrics"

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


# What `folio settings` and the docs' configuration reference say about each setting that has no
# `Field(description=...)` of its own (a new setting may give one there instead); a test fails
# when a setting has neither.
SETTING_DESCRIPTIONS: dict[str, str] = {
    "data_dir": "Where an embedded installation keeps its SQLite database, blobs, keys and outbox",
    "database_url": "SQLAlchemy URL, e.g. `postgresql+asyncpg://folio@db/folio`; unset: "
    "SQLite `folio.db` in the data directory",
    "host": "Address `folio serve` listens on",
    "port": "Port `folio serve` listens on",
    "workers": "Pipeline worker processes `folio serve` runs (default: the number of CPU "
    "cores; 0 accepts uploads only)",
    "worker_max_jobs": "A worker process is replaced after this many jobs",
    "worker_max_rss_mb": "A worker process is replaced when its memory grows past this (MiB)",
    "worker_prestart": "Start the worker processes with the server instead of on the first job",
    "worker_start_method": "How pipeline worker and sandbox processes start: `spawn` (a fresh "
    "interpreter that imports the pipeline each time) or `forkserver` (forked from a helper "
    "process that imported it once; cheap when they start often, as in the test suite)",
    "job_time_limit_s": "Time one document may take; past it the worker is killed and the "
    "document fails with `PROCESSING_TIMEOUT`",
    "job_max_attempts": "Tries for a job whose worker or server died under it",
    "dispatcher_poll_s": "How often an idle dispatcher looks for queued jobs in the database",
    "executor": "`local`: the worker pool inside `folio serve`; `celery`: jobs go to "
    "`folio worker` processes through the broker (scale-out)",
    "celery_broker_url": "Celery broker; unset: `FOLIO_REDIS_URL`",
    "storage_dir": "Blob directory (shared by every machine in scale-out); unset: "
    "`blobs/` in the data directory",
    "storage_backend": "`local`: blobs in `FOLIO_STORAGE_DIR`; `s3`: in an S3-compatible bucket",
    "s3_endpoint_url": "S3-compatible endpoint, e.g. `http://minio:9000`; unset: AWS S3",
    "s3_bucket": "The blob bucket (required with `FOLIO_STORAGE_BACKEND=s3`)",
    "s3_prefix": "Key prefix inside the bucket, e.g. `folio/`",
    "s3_region": "Bucket region; unset: the AWS default",
    "s3_access_key_id": "Set with the secret, or leave both unset for the standard AWS "
    "credential chain (`AWS_*` variables, profile, instance role)",
    "s3_secret_access_key": "See `FOLIO_S3_ACCESS_KEY_ID`",
    "s3_cache_dir": "Local copies of blobs the pipeline reads; unset: `s3-cache/` in the data "
    "directory",
    "s3_cache_bytes": "Size of that cache; least recently used copies are evicted beyond it",
    "backup_dir": "Directory the server writes scheduled backups to (`folio-backup-<time>/` "
    "each); unset: no scheduled backups. Set it on one API machine",
    "backup_interval_s": "Time between scheduled backups (counted from the newest one in "
    "`FOLIO_BACKUP_DIR`, so restarts do not add any)",
    "backup_keep": "Scheduled backups kept; the oldest beyond this are deleted",
    "report_mail_attach_max_bytes": "A mailed report carries its file up to this size; a "
    "larger one is mailed with its figures and a link only (0: never attach)",
    "backup_s3_url": "`s3://bucket/prefix` the server uploads scheduled backups to "
    "(`folio-backup-<time>.tar` each, with the `FOLIO_S3_*` endpoint and keys), instead of "
    "`FOLIO_BACKUP_DIR`; unset: none",
    "job_lease_s": "A Celery worker's claim on a job lapses unless renewed within this",
    "job_fair_share": "Jobs per team and priority handed to the broker at once, so one team "
    "cannot fill the queue",
    "db_pool_size": "Database connections per process (PostgreSQL)",
    "db_connect_timeout_s": "Time allowed to open a database connection",
    "max_upload_bytes": "Largest file accepted (`413 PAYLOAD_TOO_LARGE`, refused while streaming)",
    "max_batch_files": "Most files in one batch request",
    "max_batch_bytes": "Largest batch request",
    "max_pages": "Most pages in one document (`TOO_MANY_PAGES`)",
    "max_image_pixels": "Largest image, in pixels (`IMAGE_TOO_LARGE`; decompression-bomb guard)",
    "max_decompression_ratio": "Most pixels per byte of file an image may expand to "
    "(`IMAGE_TOO_LARGE`; decompression-bomb guard)",
    "ocr_dpi": "Resolution PDF pages are rendered at for OCR (72 to 600)",
    "long_poll_max_s": "Longest `?wait=` a status request may hold",
    "analysis_enabled": "Understanding (classification, entities, PII, security, compliance, "
    "summary) for uploads whose options do not say",
    "classifier_min_confidence": "A team's trained classifier decides a document's type when "
    "at least this sure (0 to 1)",
    "llm_base_url": "OpenAI-compatible endpoint for abstractive summaries and templates' `llm` "
    "locators, e.g. `http://127.0.0.1:8080/v1`; unset: extractive summaries only, `llm` fields "
    "left in `llm_pending`, nothing leaves the machine",
    "llm_api_key": "Bearer key for that endpoint",
    "llm_model": "Model name sent to that endpoint",
    "llm_timeout_s": "Time allowed for one LLM call before falling back to the extractive "
    "summary or a field's rule locators",
    "extraction_review_below": "Extracted fields with a confidence below this (0 to 1) or "
    "missing are marked `needs_review` in `GET /documents/{id}/extractions`",
    "redis_url": "Redis for rate-limit counters, events and (with `celery`) the broker; unset: "
    "in-memory counters and events (one process)",
    "rate_limit_enabled": "Answer `429 RATE_LIMITED` past a plan's request limits",
    "rate_limit_plans": "Plan → requests per `minute`, `hour` and `day` (JSON); a team on a "
    "plan not listed gets `free`'s",
    "rate_limit_anonymous_plan": "Plan whose limits apply per client IP to calls without a "
    "credential",
    "quota_plans": "Plan → monthly `api_calls`, `documents_processed`, `storage_bytes` per team "
    "(JSON; `null` = unlimited); past one: `429 QUOTA_EXCEEDED`",
    "usage_retention_days": "Days the per-day usage log is kept",
    "audit_flush_interval_s": "Audit entries are buffered and written at least this often",
    "audit_batch_size": "... or whenever this many are buffered",
    "audit_retention_days": "Days audit entries are kept; 0 keeps them forever",
    "ws_max_connections_per_user": "WebSocket connections one user may hold open",
    "ws_queue_size": "Events queued per WebSocket connection; a client further behind is told "
    "`SLOW_CONSUMER` and closed (4008)",
    "ws_auth_timeout_s": "Time a WebSocket client has to send its `auth` message",
    "event_retention_days": "Days events are kept for replay (`last_event_id`) and webhooks",
    "analytics_realtime_interval_s": "Seconds between `analytics.realtime` events; 0: none",
    "share_link_max_ttl_s": "Longest a share link may live",
    "webhook_allowed_hosts": "Hosts or CIDRs (JSON list) webhooks may reach although they are "
    "loopback, private or link-local",
    "webhook_timeout_s": "Time allowed for one webhook delivery",
    "webhook_poll_s": "How often the dispatcher looks for due deliveries",
    "webhook_max_attempts": "Default attempts per delivery (an endpoint may set its own, 1 to 50)",
    "webhook_retry_base_s": "First retry delay; it doubles per attempt, with jitter",
    "webhook_retry_max_s": "Longest retry delay",
    "webhook_disable_after_failures": "Failed deliveries in a row that disable an endpoint",
    "webhook_max_redirects": "Redirects a delivery follows, each checked like the first URL",
    "automation_poll_s": "How often the automation runner looks for due runs and schedules",
    "automation_lease_s": "How long a runner holds a run before another may take it over",
    "automation_max_attempts": "Tries of a failing run before it fails (with backoff)",
    "automation_retry_base_s": "First retry delay of a failed run; doubles per attempt",
    "automation_retry_max_s": "Longest retry delay of a failed run",
    "automation_max_depth": "Rules a chain of rule-caused events may pass through (loops stop)",
    "crawler_allowed_hosts": "Hosts or CIDRs (JSON list) crawls may fetch although they are "
    "loopback, private or link-local (e.g. an intranet image server)",
    "crawler_timeout_s": "Timeout of one fetch",
    "crawler_retries": "Retries of a failed fetch (0 to 10)",
    "crawler_backoff_s": "First back-off between retries (doubles)",
    "crawler_max_redirects": "Redirects followed, each checked like the first request",
    "crawler_max_image_bytes": "Larger images are refused while downloading",
    "crawler_per_host_concurrency": "Requests in flight to one host",
    "crawler_per_host_interval_s": "Least time between two requests to one host",
    "crawler_max_crawl_delay_s": "Cap on a robots.txt `Crawl-delay`",
    "crawler_chunk_lease_s": "A chunk whose process stopped renewing it is taken over after this",
    "crawler_downloads_per_chunk": "Downloads in flight per chunk",
    "crawler_max_running_chunks": "Chunks one process runs at once; 0 turns crawling off there",
    "crawler_poll_s": "How often an idle process looks for chunks",
    "crawler_phash_threshold": "Perceptual-hash distance (0 to 32) up to which two images are "
    "duplicates",
    "openverse_api_url": "The Openverse API (or a mirror of it)",
    "wikimedia_api_url": "The Wikimedia Commons API",
    "public_url": "Base of the links Folio puts in e-mails",
    "jwt_secret": "Signs access tokens; set one shared secret on every API machine; unset: a key "
    "file `jwt-keys.json` in the data directory",
    "access_token_ttl_s": "Access token lifetime",
    "refresh_token_ttl_s": "Refresh token lifetime",
    "login_max_failures": "Wrong passwords per account and client address within "
    "`FOLIO_LOGIN_LOCKOUT_S`, then that address is refused for the account",
    "login_lockout_s": "The window and the lockout of the login limits",
    "login_max_failures_account": "Wrong passwords from any address, then the whole account is "
    "locked for `FOLIO_LOGIN_LOCKOUT_S`",
    "mfa_max_failures": "Wrong two-factor codes, then the account is locked for "
    "`FOLIO_LOGIN_LOCKOUT_S`",
    "login_max_failures_per_ip": "Failed logins per client address within "
    "`FOLIO_LOGIN_IP_WINDOW_S`, then that address is refused",
    "login_ip_window_s": "The window of the per-address login limit",
    "api_key_last_used_resolution_s": "A key's or session's `last_used_at` is written at most "
    "this often",
    "auth_cache_ttl_s": "Seconds an API process reuses a resolved credential; 0 turns the cache "
    "off",
    "admin_email": "The admin account the first start of an empty installation creates",
    "registration": "Who may create an account with `POST /api/v1/auth/register`: `open` "
    "(anyone), `invite` (only with a pending invitation to that address) or `closed` (only "
    "system admins, with `folio admin create-user`)",
    "ldap_allowed_hosts": "Hosts or CIDRs (JSON list) a team's LDAP directory may reach although "
    "they are loopback, private or link-local (an intranet directory server)",
    "ldap_timeout_s": "Time allowed for one LDAP connect, bind or search",
    "directory_sync_check_s": "Seconds between checks for LDAP directories due for their "
    "scheduled sync; 0: never",
    "retention_purge_interval_s": "Seconds between runs of the retention purge (team retention "
    "policies); 0: never",
    "workflow_reminder_interval_s": "Seconds between looks for overdue workflow tasks to "
    "remind their assignees of; 0: never",
    "smtp_host": "Outgoing mail server; unset: mail is written to `outbox/` in the data "
    "directory as `.eml` files",
    "smtp_port": "SMTP port",
    "smtp_username": "SMTP login",
    "smtp_password": "SMTP password",
    "smtp_starttls": "Upgrade the SMTP connection with STARTTLS",
    "mail_from": "Sender of Folio's e-mails",
    "log_level": "`DEBUG`, `INFO`, `WARNING` or `ERROR`",
    "log_json": "Structured JSON log lines on stderr (false: human-readable lines)",
}
