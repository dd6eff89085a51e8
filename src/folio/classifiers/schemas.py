from __future__ import annotations

from datetime import datetime

from pydantic import Field

from folio.core.schemas import Schema

LABEL_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,49}$"


class ClassificationUpdate(Schema):
    document_type: str = Field(
        pattern=LABEL_PATTERN,
        description="A built-in type (invoice, contract …) or the team's own label",
        examples=["invoice", "utility-bill"],
    )


class ClassificationRead(Schema):
    document_id: str
    document_type: str = Field(validation_alias="label")
    previous_type: str | None
    source: str = "user"
    labelled_by: str | None
    updated_at: datetime


class ClassifierRead(Schema):
    id: str
    version: int
    is_active: bool
    accuracy: float = Field(description="Mean accuracy over stratified cross-validation folds")
    folds: int
    fold_scores: list[float]
    samples: int
    labels: dict[str, int] = Field(description="Training examples per label")
    size_bytes: int
    sklearn_version: str | None
    trained_by: str | None
    created_at: datetime
