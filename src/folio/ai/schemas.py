from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from folio.core.schemas import Schema
from folio.pipeline.intelligence import Entity, Summary


class Source(Schema):
    """Either a processed document of your team or a text (at most 200,000 characters)."""

    document_id: str | None = None
    text: str | None = Field(default=None, max_length=200_000)

    @model_validator(mode="after")
    def exactly_one(self) -> Source:
        if (self.document_id is None) == (self.text is None):
            raise ValueError("send exactly one of document_id and text")
        return self


class EntitiesRequest(Source):
    types: list[str] | None = Field(default=None, description="e.g. ['email', 'iban']")
    min_confidence: float = Field(default=0.0, ge=0, le=1)


class EntitiesResult(Schema):
    document_id: str | None
    entities: list[Entity]
    counts: dict[str, int]


class SummaryRequest(Source):
    length: Literal["short", "medium", "long"] = "medium"
    focus: list[str] = Field(default_factory=list, max_length=10)


class SummaryResult(Schema):
    document_id: str | None
    summary: Summary
