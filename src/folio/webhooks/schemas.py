from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, Field

from folio.core.schemas import Schema

EventType = str


class WebhookCreate(Schema):
    url: AnyHttpUrl
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] = Field(
        default_factory=list,
        max_length=100,
        description="e.g. ['document.processed', 'batch.*']; empty means every event",
    )
    max_attempts: int | None = Field(
        default=None, ge=1, le=50, description="Retry policy: tries per delivery"
    )


class WebhookUpdate(Schema):
    url: AnyHttpUrl | None = None
    description: str | None = Field(default=None, max_length=500)
    event_types: list[EventType] | None = Field(default=None, max_length=100)
    max_attempts: int | None = Field(default=None, ge=1, le=50)
    is_active: bool | None = None


class WebhookRead(Schema):
    id: str
    team_id: str
    url: str
    description: str | None
    event_types: list[str]
    max_attempts: int
    is_active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="whsec_…: verify signatures with it. Shown once.")


class WebhookTestResult(Schema):
    ok: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str | None


class DeliveryRead(Schema):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_latency_ms: int | None
    request_excerpt: str | None
    response_excerpt: str | None
    delivered_at: datetime | None
    created_at: datetime
