from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum

MAX_JOB_ERRORS = 100  # failed chunks a job lists; GET …/chunks shows every one


class CrawlStatus(StrEnum):
    pending = "pending"  # created, not started
    running = "running"
    paused = "paused"  # out of credits: resumes with start
    stopped = "stopped"
    completed = "completed"
    failed = "failed"  # every chunk ended and at least one failed


class ChunkStatus(StrEnum):
    pending = "pending"
    running = "running"
    completed = "completed"
    failed = "failed"


class CrawlJob(TimestampMixin, Base):
    __tablename__ = "crawl_jobs"
    __table_args__ = (
        Index("ix_crawl_jobs_team_id_id", "team_id", "id"),
        Index("ix_crawl_jobs_project_id", "project_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200))
    engines: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    seeds: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_depth: Mapped[int] = mapped_column(Integer, default=2)
    max_images: Mapped[int] = mapped_column(Integer)
    pages_per_keyword: Mapped[int] = mapped_column(Integer, default=1)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[CrawlStatus] = mapped_column(str_enum(CrawlStatus), default=CrawlStatus.pending)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    # the chunks that failed, newest last (at most MAX_JOB_ERRORS): for a web chunk, its seed
    # {"url", "engine", "chunk_id", "code", "message"}; emptied when they are retried
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    images_downloaded: Mapped[int] = mapped_column(Integer, default=0)
    images_valid: Mapped[int] = mapped_column(Integer, default=0)
    images_failed: Mapped[int] = mapped_column(Integer, default=0)
    images_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    credits_used: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class CrawlChunk(TimestampMixin, Base):
    """One unit of a crawl (a seed page, a slice of a URL list, a keyword x engine x result
    page). Its state lives here, so a restart resumes where the crawl was."""

    __tablename__ = "crawl_chunks"
    __table_args__ = (
        Index("ix_crawl_chunks_job_id_status", "job_id", "status"),
        Index("ix_crawl_chunks_status_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[str] = mapped_column(ForeignKey("crawl_jobs.id", ondelete="CASCADE"))
    engine: Mapped[str] = mapped_column(String(20))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ChunkStatus] = mapped_column(str_enum(ChunkStatus), default=ChunkStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # the supervisor running the chunk (or that last ran it) and until when its claim holds;
    # renewed while it runs, so a chunk of a process that died is claimed again once it lapses
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()

    def is_held_by(self, owner: str) -> bool:
        """``owner`` runs it under a lease (one that lapsed counts until another claims it)."""
        return self.status is ChunkStatus.running and self.lease_owner == owner
