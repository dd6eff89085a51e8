"""Requests and answers of applying templates to processed documents and checking rules."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from folio.core.schemas import Schema
from folio.documents.schemas import DocumentId
from folio.pipeline.fields import (
    FieldValue,
    RuleInput,
    RuleResult,
    Table,
    ValidationReport,
)

MAX_APPLY_DOCUMENTS = 500


class ApplyRequest(Schema):
    document_ids: list[DocumentId] | None = Field(
        default=None, min_length=1, max_length=MAX_APPLY_DOCUMENTS
    )
    batch_id: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def one_target(self) -> ApplyRequest:
        if (self.document_ids is None) == (self.batch_id is None):
            raise ValueError("send either document_ids or batch_id")
        return self


class ApplyItem(Schema):
    document_id: str
    status: Literal["extracted", "not_ready"]
    extraction_id: str | None = None
    document_version: int | None = None
    values: dict[str, Any] | None = None
    validation_passed: bool | None = None
    detail: str | None = None


class ApplyResult(Schema):
    template_id: str
    template_name: str
    template_version: int
    extracted: int
    not_ready: int
    results: list[ApplyItem]


class ExtractionRead(Schema):
    id: str
    document_id: str
    document_version: int
    template_id: str | None
    template_name: str
    template_version: int
    values: dict[str, Any]
    fields: dict[str, FieldValue] = Field(
        description="Per field: value (normalised), raw, confidence (calibrated for the "
        "built-in templates), page, bbox, method, needs_review"
    )
    review: list[str] = Field(
        default_factory=list,
        description="Fields to check by hand: missing, or confidence below "
        "FOLIO_EXTRACTION_REVIEW_BELOW",
    )
    tables: list[Table]
    validation: ValidationReport | None
    llm_pending: list[str]
    warnings: list[str]
    created_at: datetime


class ValidateRequest(Schema):
    """Rules to check, or a template whose stored rules to check, against the document's
    latest extraction (of that template, when one is named)."""

    rules: list[RuleInput] = Field(default_factory=list, max_length=200)
    template_id: str | None = Field(
        default=None, max_length=100, description="tpl_…, a team template's name or a built-in"
    )


class ValidationRead(Schema):
    document_id: str
    extraction_id: str | None = Field(
        description="The stored extraction checked; null when the template was applied now"
    )
    template_name: str
    template_version: int
    passed: bool
    failed: int
    results: list[RuleResult]


MAX_CORRECTION_JSON = 200_000  # characters of a list or object value, as compact JSON
MAX_CORRECTION_DEPTH = 6  # lists and objects nested in each other


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


class CorrectionCreate(Schema):
    """A reviewer's value for one top-level field of a stored extraction, checked against the
    field's definition in the template. Numbers and money take a number or text such as
    ``1.234,56``; dates ``YYYY-MM-DD``; booleans true/false or yes/no; strings any text; enums
    one of their values. A list field takes a JSON array of its item type (a list of objects:
    an array of objects), an object field a JSON object of its sub-fields; a sub-field left out
    or null is missing. A misfit is reported at its path, such as ``value[2].amount``."""

    field: str = Field(min_length=1, max_length=100)
    value: bool | float | str | list[Any] | dict[str, Any] = Field(
        description="The correct value: text or a JSON scalar; an array or object for a list "
        "or object field"
    )

    @model_validator(mode="after")
    def bounded(self) -> CorrectionCreate:
        if isinstance(self.value, str) and not 0 < len(self.value.strip()) <= 2000:
            raise ValueError("value: between 1 and 2000 characters")
        if isinstance(self.value, float) and not math.isfinite(self.value):
            raise ValueError("value: a finite number")
        if isinstance(self.value, list | dict):
            if _depth(self.value) > MAX_CORRECTION_DEPTH:
                raise ValueError(f"value: nested at most {MAX_CORRECTION_DEPTH} levels deep")
            if len(json.dumps(self.value, default=str)) > MAX_CORRECTION_JSON:
                raise ValueError(f"value: at most {MAX_CORRECTION_JSON} characters as JSON")
        return self


class CorrectionRead(Schema):
    id: str
    extraction_id: str
    document_id: str
    field: str
    previous_value: Any
    previous_confidence: float | None
    value: Any
    raw: str
    corrected_by: str | None
    created_at: datetime
