from __future__ import annotations

from datetime import date, datetime

from folio.core.schemas import Schema


class QuotaUsage(Schema):
    used: int
    limit: int | None  # null: unlimited
    remaining: int | None


class CurrentUsage(Schema):
    team_id: str
    plan: str
    period: str = "monthly"
    period_start: datetime
    resets_at: datetime
    api_calls: QuotaUsage
    documents_processed: QuotaUsage
    storage_bytes: QuotaUsage


class EndpointCount(Schema):
    endpoint: str  # "GET /api/v1/documents/{document_id}"
    method: str
    route: str
    count: int


class DailyUsage(Schema):
    date: date
    requests: int
    errors: int


class KeyUsage(Schema):
    key_id: str
    start: date
    end: date  # inclusive
    requests: int
    errors: int
    avg_response_time_ms: float | None
    top_endpoints: list[EndpointCount]
    daily_usage: list[DailyUsage]
