from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, utcnow


class CrawledImage(Base):
    """A candidate image of a crawl: accepted (valid, maybe a duplicate) or rejected."""

    __tablename__ = "crawl_images"
    __table_args__ = (
        UniqueConstraint("job_id", "source_url", name="uq_crawl_images_job_id_source_url"),
        Index("ix_crawl_images_project_id_id", "project_id", "id"),
        Index("ix_crawl_images_job_id_id", "job_id", "id"),
        Index("ix_crawl_images_project_id_sha256", "project_id", "sha256"),
        Index("ix_crawl_images_chunk_id", "chunk_id"),
        Index("ix_crawl_images_project_id_dedup_seq", "project_id", "dedup_seq"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    job_id: Mapped[str] = mapped_column(ForeignKey("crawl_jobs.id", ondelete="CASCADE"))
    chunk_id: Mapped[str | None] = mapped_column(String(40))
    source_url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    page_url: Mapped[str | None] = mapped_column(String(2000))
    found_in: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))  # the engine: web, urls, openverse, …
    alt_text: Mapped[str | None] = mapped_column(String(1000))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(200))
    license: Mapped[str | None] = mapped_column(String(100))
    license_url: Mapped[str | None] = mapped_column(String(1000))
    creator: Mapped[str | None] = mapped_column(String(500))
    attribution: Mapped[str | None] = mapped_column(String(2000))
    is_valid: Mapped[bool] = mapped_column(Boolean, default=False)
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    rejection_message: Mapped[str | None] = mapped_column(String(500))
    is_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_kind: Mapped[str | None] = mapped_column(String(10))  # exact | near
    duplicate_of: Mapped[str | None] = mapped_column(String(40))
    duplicate_distance: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    phash: Mapped[str | None] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(10))
    source_format: Mapped[str | None] = mapped_column(String(10))
    bytes: Mapped[int | None] = mapped_column(Integer)
    blob_key: Mapped[str | None] = mapped_column(String(300))
    thumbnail_key: Mapped[str | None] = mapped_column(String(300))
    dedup_seq: Mapped[int | None] = mapped_column(Integer)  # the project's, for unique images
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
