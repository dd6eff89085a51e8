from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from folio.core.schemas import Schema
from folio.pipeline import DocumentKind
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
    mode: Literal["extractive", "abstractive"] = Field(
        default="extractive",
        description="abstractive asks the configured OpenAI-compatible endpoint "
        "(FOLIO_LLM_BASE_URL, FOLIO_LLM_MODEL); without one, or when it fails, the "
        "extractive summary is returned with fallback=true",
    )


class SummaryResult(Schema):
    document_id: str | None
    summary: Summary
    mode: Literal["extractive", "abstractive"] = Field(description="What produced the summary")
    model: str | None = Field(default=None, description="The LLM, for abstractive summaries")
    fallback: bool = Field(
        default=False, description="An abstractive summary was asked for but not available"
    )
    fallback_reason: str | None = None


class PredictRequest(Schema):
    """Processing time of a document like this one, from the team's processing history."""

    model_type: Literal["processing_time"] = "processing_time"
    page_count: int = Field(ge=1, le=100_000)
    ocr_needed: bool = Field(default=False, description="Scanned pages without a text layer")
    document_type: str | None = Field(default=None, max_length=50, examples=["invoice"])
    kind: DocumentKind | None = Field(default=None, description="File kind: pdf, image, docx …")


class ConfidenceInterval(Schema):
    lower: float
    upper: float
    level: float = Field(description="Share of documents expected inside the interval")


class PredictionValue(Schema):
    value: float
    unit: Literal["seconds"] = "seconds"
    confidence: float = Field(
        description="How much the estimate rests on this installation's own history "
        "rather than the built-in prior (0: prior only)"
    )
    confidence_interval: ConfidenceInterval


class PredictionFactor(Schema):
    factor: str
    impact: float = Field(description="Share of the total effect on the estimate, 0..1")
    multiplier: float = Field(description="Factor on the time of a 1-page text document")
    description: str


class PredictResult(Schema):
    model_type: Literal["processing_time"] = "processing_time"
    prediction: PredictionValue
    factors: list[PredictionFactor]
    history_samples: int
    method: Literal["prior", "history"]
    model_version: str
