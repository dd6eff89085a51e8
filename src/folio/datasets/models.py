from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum


class DatasetFormat(StrEnum):
    zip = "zip"  # images + manifest.csv + manifest.jsonl
    webdataset = "webdataset"  # tar shards of {key}.jpg/.json, inside one tar
    parquet = "parquet"  # the manifest only, one row per image


class DatasetStatus(StrEnum):
    pending = "pending"
    building = "building"
    ready = "ready"
    failed = "failed"


class Dataset(TimestampMixin, Base):
    __tablename__ = "datasets"
    __table_args__ = (
        Index("ix_datasets_team_id_id", "team_id", "id"),
        Index("ix_datasets_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    format: Mapped[DatasetFormat] = mapped_column(str_enum(DatasetFormat))
    status: Mapped[DatasetStatus] = mapped_column(
        str_enum(DatasetStatus), default=DatasetStatus.pending
    )
    split: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    image_count: Mapped[int] = mapped_column(Integer, default=0)
    split_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    blob_key: Mapped[str | None] = mapped_column(String(300))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(40))
    ready_at: Mapped[datetime | None] = mapped_column()
    # builds started (each writes its own file); the process building it (or that built it
    # last) and until when its claim holds: renewed while it builds, so the build of a
    # process that died is taken over once the lease lapses
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
