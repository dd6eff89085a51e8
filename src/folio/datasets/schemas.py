from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from folio.core.schemas import Schema
from folio.datasets.models import DatasetFormat, DatasetStatus


class SplitRatios(Schema):
    train: float = Field(default=0.8, ge=0, le=1)
    val: float = Field(default=0.1, ge=0, le=1)
    test: float = Field(default=0.1, ge=0, le=1)

    @model_validator(mode="after")
    def sums_to_one(self) -> SplitRatios:
        if abs(self.train + self.val + self.test - 1.0) > 1e-6:
            raise ValueError("train + val + test must be 1")
        return self


class DatasetCreate(Schema):
    format: DatasetFormat = DatasetFormat.zip
    split: SplitRatios = Field(default_factory=SplitRatios)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    labels: list[str] = Field(
        default_factory=list, max_length=100, description="Only images with these labels"
    )
    include_images: bool = Field(
        default=False, description="parquet only: add the image bytes as a column"
    )
    shard_size: int = Field(default=1000, ge=1, le=100_000, description="webdataset only")


class DatasetRead(Schema):
    id: str
    project_id: str
    format: DatasetFormat
    status: DatasetStatus
    split: dict[str, float]
    seed: int
    image_count: int
    split_counts: dict[str, int]
    bytes: int
    error_message: str | None
    created_at: datetime
    ready_at: datetime | None
    download_url: str | None = None
