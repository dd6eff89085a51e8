from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from folio.core.schemas import Schema
from folio.recommendations.models import ActionKind, ActionStatus


class RecommendationRead(Schema):
    id: str = Field(description="Stable for this document version and recommendation code")
    document_id: str
    version: int = Field(description="The results version the recommendation comes from")
    code: str
    title: str
    description: str
    priority: str
    steps: list[str]
    action: str | None = Field(description="What implementing creates: redaction_job or review")
    entity_types: list[str]
    status: str = Field(default="open", description="open, or the status of its latest action")
    action_id: str | None = None


class ImplementRequest(Schema):
    entity_types: list[str] | None = Field(
        default=None, max_length=30, description="Redactions: override the types to redact"
    )
    note: str | None = Field(default=None, max_length=2000)


class ReviewRequest(Schema):
    note: str | None = Field(default=None, max_length=2000)


class ActionRead(Schema):
    id: str
    recommendation_id: str
    document_id: str
    kind: ActionKind
    status: ActionStatus
    parameters: dict[str, Any]
    note: str | None
    result: dict[str, Any] = Field(description="After approval: e.g. the redaction_id")
    requested_by: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    created_at: datetime
