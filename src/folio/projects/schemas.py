from __future__ import annotations

from datetime import datetime

from pydantic import Field

from folio.core.schemas import Schema


class ProjectCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ProjectUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ProjectRead(Schema):
    id: str
    team_id: str
    name: str
    description: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    job_count: int = 0
    image_count: int = Field(default=0, description="Valid, non-duplicate images")
    dataset_count: int = 0
