from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from folio.core.schemas import Schema


class Granularity(StrEnum):
    day = "day"
    week = "week"  # ISO weeks, labelled by their Monday
    month = "month"  # labelled by its first day


class UsageGroup(StrEnum):
    none = "none"
    user = "user"  # API calls only
    key = "key"  # API calls only
    route = "route"  # API calls only
    document_type = "document_type"  # documents, pages and bytes only


@dataclass(frozen=True)
class Period:
    """``start`` to ``end``, both inclusive (UTC days)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class UsageTotals(Schema):
    documents: int
    pages: int
    uploaded_bytes: int
    api_calls: int
    api_errors: int
    storage_bytes: int  # stored now, whatever the period


class UsagePoint(Schema):
    period: date  # the day, the Monday of the week or the first of the month
    group: str | None = None
    documents: int | None = None
    pages: int | None = None
    uploaded_bytes: int | None = None
    api_calls: int | None = None
    api_errors: int | None = None


class UsageReport(Schema):
    team_id: str | None  # None: every team (system admins)
    start: date
    end: date
    granularity: Granularity
    group_by: UsageGroup
    totals: UsageTotals
    series: list[UsagePoint]


class Percentiles(Schema):
    count: int
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


class RouteLatency(Percentiles):
    route: str  # "GET /api/v1/documents/{document_id}"


class KindProcessing(Percentiles):
    kind: str  # pdf, image, office …; ``count`` is pages


class PerformanceReport(Schema):
    team_id: str | None
    start: date
    end: date
    overall: Percentiles
    routes: list[RouteLatency]
    document_kinds: list[KindProcessing]


class ConfidenceBucket(Schema):
    lower: int
    upper: int
    pages: int


class OcrQuality(Schema):
    pages: int
    mean_confidence: float | None  # 0..100
    distribution: list[ConfidenceBucket]


class FieldCount(Schema):
    field: str
    count: int


class FieldQuality(Schema):
    threshold: float
    extractions: int
    fields: int
    low_confidence: int
    by_field: list[FieldCount]


class ClassifierQuality(Schema):
    corrections: int  # document types set by a person in the period
    evaluated: int  # of those, documents that had a predicted type
    correct: int  # the person kept the predicted type
    accuracy: float | None


class QualityReport(Schema):
    team_id: str | None
    start: date
    end: date
    ocr: OcrQuality
    fields: FieldQuality
    classifier: ClassifierQuality


class Dashboard(Schema):
    team_id: str | None
    start: date
    end: date
    usage: UsageTotals
    documents_by_status: dict[str, int]
    api_latency: Percentiles
    slowest_routes: list[RouteLatency]
    processing: list[KindProcessing]
    ocr_mean_confidence: float | None
    low_confidence_fields: int
    classifier_accuracy: float | None
