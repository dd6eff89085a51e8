from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, computed_field, field_validator, model_validator

from folio.core.schemas import BoundedInt, Schema

AnonymizeMode = Literal["mask", "hash", "replace"]
EntityTypes = Annotated[list[str], Field(max_length=30, examples=[["email", "iban", "person"]])]


class RedactionBox(Schema):
    page: BoundedInt = Field(ge=1, description="1-based page number")
    bbox: tuple[float, float, float, float] = Field(
        description="[x0, y0, x1, y1] in the page's unit as /results reports it (pt or px), "
        "top-left origin of the displayed page"
    )

    @field_validator("bbox")
    @classmethod
    def ordered(cls, value: tuple[float, float, float, float]) -> tuple[float, ...]:
        x0, y0, x1, y1 = value
        if x1 <= x0 or y1 <= y0 or min(value) < 0:
            raise ValueError("bbox needs 0 <= x0 < x1 and 0 <= y0 < y1")
        return value


class RedactionCreate(Schema):
    """Entity types to find and black out, explicit boxes, or both."""

    entity_types: EntityTypes = Field(default_factory=list)
    boxes: list[RedactionBox] = Field(default_factory=list, max_length=1000)
    min_confidence: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def something_to_redact(self) -> RedactionCreate:
        if not self.entity_types and not self.boxes:
            raise ValueError("send entity_types, boxes or both")
        return self


class RedactionRead(Schema):
    id: str
    document_id: str
    document_version: int
    entity_types: list[str]
    requested_boxes: list[RedactionBox]
    pages_redacted: list[int]
    box_count: int
    entity_count: int = Field(description="Entities found and painted over")
    counts: dict[str, int] = Field(description="Entities painted over, per type")
    whole_pages: list[int] = Field(
        description="Pages painted entirely because a value there had no position"
    )
    dpi: int
    size_bytes: int
    sha256: str
    created_by: str | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented way
    @property
    def file_url(self) -> str:
        return f"/api/v1/redactions/{self.id}/file"


class AnonymizedText(Schema):
    document_id: str
    mode: AnonymizeMode
    entity_types: list[str]
    counts: dict[str, int]
    text: str = Field(description="Pages separated by form feeds, each value replaced")
