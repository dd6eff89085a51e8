from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from folio.automations.actions import AnyAction
from folio.automations.conditions import MAX_NESTING, AnyCondition, Condition, depth
from folio.automations.triggers import AnyTrigger
from folio.core.schemas import Schema

MAX_ACTIONS = 20


def _shallow(condition: Condition | None) -> Condition | None:
    if condition is not None and depth(condition) > MAX_NESTING:
        raise ValueError(f"conditions nest at most {MAX_NESTING} levels")
    return condition


class AutomationCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    enabled: bool = True
    position: int | None = Field(
        default=None, ge=0, le=10_000, description="Rules run in this order; default: last"
    )
    trigger: AnyTrigger
    conditions: AnyCondition | None = Field(default=None, description="None: always")
    actions: list[AnyAction] = Field(min_length=1, max_length=MAX_ACTIONS)
    max_failures: int = Field(
        default=5, ge=1, le=100, description="Failed runs in a row before the rule pauses"
    )

    @field_validator("conditions")
    @classmethod
    def not_too_deep(cls, value: Condition | None) -> Condition | None:
        return _shallow(value)


class AutomationUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = Field(default=None, description="true also resumes a paused rule")
    position: int | None = Field(default=None, ge=0, le=10_000)
    trigger: AnyTrigger | None = None
    conditions: AnyCondition | None = None
    actions: list[AnyAction] | None = Field(default=None, min_length=1, max_length=MAX_ACTIONS)
    max_failures: int | None = Field(default=None, ge=1, le=100)

    @field_validator("conditions")
    @classmethod
    def not_too_deep(cls, value: Condition | None) -> Condition | None:
        return _shallow(value)


class AutomationRead(Schema):
    id: str
    team_id: str
    name: str
    enabled: bool
    position: int
    trigger: dict[str, Any]
    conditions: dict[str, Any] | None
    actions: list[dict[str, Any]]
    max_failures: int
    consecutive_failures: int
    paused_at: datetime | None
    paused_reason: str | None
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


class StepRead(Schema):
    document_id: str | None
    kind: str
    status: str = Field(description="pending, done or failed")
    result: dict[str, Any] | None = None
    error: str | None = None
    duration_ms: float | None = None


class RunRead(Schema):
    id: str
    rule_id: str
    event_id: str
    event_type: str
    document_id: str | None
    depth: int
    status: str
    matched: bool | None
    evaluation: dict[str, Any] | None
    steps: list[StepRead]
    attempts: int
    next_attempt_at: datetime | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class DryRunRequest(Schema):
    document_id: str = Field(max_length=40)


class PlannedAction(Schema):
    kind: str
    preview: str


class DryRunResult(Schema):
    rule_id: str
    document_id: str
    trigger: str
    trigger_matched: bool = Field(
        description="Whether the document fits the trigger's own filter (type, PII, tag)"
    )
    matched: bool = Field(description="Whether the conditions match")
    conditions: dict[str, Any] | None = Field(description="Each condition with its outcome")
    actions: list[PlannedAction] = Field(description="What would run, in order")
    would_run: bool
