from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from folio.core.schemas import Schema
from folio.retention.models import PurgeAction, RetentionTarget

DocumentType = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Days = Annotated[int, Field(ge=0, le=36_500, description="Days after processing ended")]


class RetentionPolicyCreate(Schema):
    target: RetentionTarget = Field(
        description="originals: the uploaded file; results: text, pages and analysis; "
        "documents: the whole document"
    )
    days: Days
    document_type: DocumentType | None = Field(
        default=None, description="Only documents of this type; unset: every type"
    )


class RetentionPolicyUpdate(Schema):
    days: Days | None = None
    document_type: DocumentType | None = None


class RetentionPolicyRead(Schema):
    id: str
    team_id: str
    target: RetentionTarget
    days: int
    document_type: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class LegalHoldCreate(Schema):
    document_id: str | None = Field(default=None, max_length=40)
    batch_id: str | None = Field(default=None, max_length=40)
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def one_target(self) -> Self:
        if (self.document_id is None) == (self.batch_id is None):
            raise ValueError("give exactly one of document_id and batch_id")
        return self


class LegalHoldRead(Schema):
    id: str
    team_id: str
    document_id: str | None
    batch_id: str | None
    reason: str
    created_by: str | None
    created_at: datetime
    released_at: datetime | None
    released_by: str | None
    active: bool


class PurgeRecordRead(Schema):
    id: str
    document_id: str
    filename: str
    document_type: str | None
    action: PurgeAction
    source: str
    bytes_freed: int
    created_at: datetime


class PurgeSummary(Schema):
    team_id: str
    originals_deleted: int = 0
    results_deleted: int = 0
    documents_deleted: int = 0
    held: int = 0
    bytes_freed: int = 0
