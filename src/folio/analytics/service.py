"""Team analytics: usage by period and group, latency and processing percentiles from the
stored histograms, quality figures, and a dashboard of all three."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.analytics import histograms
from folio.analytics.periods import label
from folio.analytics.repository import AnalyticsRepository, HistogramRepository, TeamIds
from folio.analytics.schemas import (
    ClassifierQuality,
    ConfidenceBucket,
    Dashboard,
    FieldCount,
    FieldQuality,
    Granularity,
    KindProcessing,
    OcrQuality,
    Percentiles,
    PerformanceReport,
    Period,
    QualityReport,
    RouteLatency,
    UsageGroup,
    UsagePoint,
    UsageReport,
    UsageTotals,
)
from folio.core.db import utcnow
from folio.core.errors import NotFound
from folio.core.permissions import Permission
from folio.core.principal import Principal

LOW_CONFIDENCE = 0.6  # a field found with less than this is worth a person's look
FIELD_SAMPLE = 5000  # extractions read for the field figures (the newest in the period)
TOP_FIELDS = 20
DASHBOARD_ROUTES = 5
API_DIMENSIONS = {UsageGroup.user: "user_id", UsageGroup.key: "key_id", UsageGroup.route: "route"}


@dataclass(frozen=True)
class Scope:
    """Whose analytics: one team, or (``team_id`` None) every team, for a system admin."""

    team_id: str | None

    @property
    def team_ids(self) -> TeamIds:
        return None if self.team_id is None else (self.team_id,)


def team_scope(principal: Principal, team_id: str | None) -> Scope:
    """The acting team, or another team the principal reads (any team for a system admin);
    a team it cannot read answers 404, as a resource of another team does."""
    if team_id is None or team_id == principal.team_id:
        return Scope(principal.team_id)
    if team_id in principal.team_ids or principal.can(Permission.system_admin):
        return Scope(team_id)
    raise NotFound(f"No team {team_id}.")


def summarize(counts: dict[int, int], total_ms: float) -> Percentiles:
    count = sum(counts.values())
    return Percentiles(
        count=count,
        mean_ms=round(total_ms / count, 2) if count else None,
        p50_ms=_round(histograms.percentile(counts, 0.50)),
        p95_ms=_round(histograms.percentile(counts, 0.95)),
        p99_ms=_round(histograms.percentile(counts, 0.99)),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _by_series(rows: Sequence[Any]) -> dict[str, tuple[dict[int, int], float]]:
    series: dict[str, tuple[dict[int, int], list[float]]] = {}
    for name, bucket, count, total in rows:
        counts, acc = series.setdefault(name, ({}, [0.0]))
        counts[int(bucket)] = counts.get(int(bucket), 0) + int(count)
        acc[0] += float(total or 0.0)
    return {name: (counts, acc[0]) for name, (counts, acc) in series.items()}


class AnalyticsService:
    async def record_processed(
        self, session: AsyncSession, *, team_id: str, kind: str, pages: int, elapsed_ms: float
    ) -> None:
        """Adds a processed document's pages to its kind's per-page histogram, in the job's
        unit of work: ``pages`` observations of ``elapsed_ms / pages`` each."""
        if pages <= 0 or elapsed_ms < 0:
            return
        per_page = elapsed_ms / pages
        cell = histograms.Cell(
            utcnow().date(), team_id, histograms.PAGE, kind, histograms.bucket_of(per_page)
        )
        rows = histograms.rows({cell: (pages, elapsed_ms)})
        await HistogramRepository.from_session(session).add_cells(rows)

    async def usage(
        self,
        session: AsyncSession,
        scope: Scope,
        period: Period,
        *,
        granularity: Granularity = Granularity.day,
        group_by: UsageGroup = UsageGroup.none,
    ) -> UsageReport:
        repository = AnalyticsRepository.from_session(session)
        points: dict[tuple[Any, str | None], UsagePoint] = {}

        def point(day: Any, group: str | None) -> UsagePoint:
            key = (label(day, granularity), group)
            if key not in points:
                points[key] = UsagePoint(period=key[0], group=group)
            return points[key]

        totals = UsageTotals(
            documents=0, pages=0, uploaded_bytes=0, api_calls=0, api_errors=0,
            storage_bytes=await repository.storage_bytes(scope.team_ids),
        )  # fmt: skip
        if group_by is not UsageGroup.document_type:
            dimension = API_DIMENSIONS.get(group_by)
            rows = await repository.api_calls(scope.team_ids, period.start, period.end, dimension)
            for day, group, requests, errors in rows:
                target = point(day, group if dimension else None)
                target.api_calls = (target.api_calls or 0) + int(requests)
                target.api_errors = (target.api_errors or 0) + int(errors)
                totals.api_calls += int(requests)
                totals.api_errors += int(errors)
        if group_by in (UsageGroup.none, UsageGroup.document_type):
            by_type = group_by is UsageGroup.document_type
            documents = await repository.documents(
                scope.team_ids, period.start, period.end, by_type
            )
            for day, group, count, pages, size in documents:
                target = point(day, group)
                target.documents = (target.documents or 0) + count
                target.pages = (target.pages or 0) + pages
                target.uploaded_bytes = (target.uploaded_bytes or 0) + size
                totals.documents += count
                totals.pages += pages
                totals.uploaded_bytes += size
        if group_by is UsageGroup.none:
            self._fill_days(points, period, granularity)
        series = sorted(points.values(), key=lambda p: (p.period, p.group or ""))
        return UsageReport(
            team_id=scope.team_id,
            start=period.start,
            end=period.end,
            granularity=granularity,
            group_by=group_by,
            totals=totals,
            series=series,
        )

    @staticmethod
    def _fill_days(
        points: dict[tuple[Any, str | None], UsagePoint], period: Period, granularity: Granularity
    ) -> None:
        """Every period of the range appears, with zeros where nothing happened."""
        for offset in range(period.days):
            key = (label(period.start + timedelta(days=offset), granularity), None)
            target = points.setdefault(key, UsagePoint(period=key[0]))
            for name in ("documents", "pages", "uploaded_bytes", "api_calls", "api_errors"):
                if getattr(target, name) is None:
                    setattr(target, name, 0)

    async def performance(
        self, session: AsyncSession, scope: Scope, period: Period
    ) -> PerformanceReport:
        repository = HistogramRepository.from_session(session)
        http = _by_series(
            await repository.cells(scope.team_ids, histograms.HTTP, period.start, period.end)
        )
        pages = _by_series(
            await repository.cells(scope.team_ids, histograms.PAGE, period.start, period.end)
        )
        overall: dict[int, int] = defaultdict(int)
        overall_ms = 0.0
        for counts, total in http.values():
            for bucket, count in counts.items():
                overall[bucket] += count
            overall_ms += total
        routes = [
            RouteLatency(route=name, **summarize(counts, total).model_dump())
            for name, (counts, total) in http.items()
        ]
        kinds = [
            KindProcessing(kind=name, **summarize(counts, total).model_dump())
            for name, (counts, total) in pages.items()
        ]
        return PerformanceReport(
            team_id=scope.team_id,
            start=period.start,
            end=period.end,
            overall=summarize(dict(overall), overall_ms),
            routes=sorted(routes, key=lambda r: (-r.count, r.route)),
            document_kinds=sorted(kinds, key=lambda k: k.kind),
        )

    async def quality(self, session: AsyncSession, scope: Scope, period: Period) -> QualityReport:
        repository = AnalyticsRepository.from_session(session)
        ocr_rows = await repository.ocr_confidences(scope.team_ids, period.start, period.end)
        per_bucket = {int(b): (int(n), float(s or 0.0)) for b, n, s in ocr_rows}
        pages = sum(n for n, _ in per_bucket.values())
        confidence_sum = sum(s for _, s in per_bucket.values())
        ocr = OcrQuality(
            pages=pages,
            mean_confidence=round(confidence_sum / pages, 2) if pages else None,
            distribution=[
                ConfidenceBucket(
                    lower=b * 10, upper=(b + 1) * 10, pages=per_bucket.get(b, (0, 0.0))[0]
                )
                for b in range(10)
            ],
        )
        extractions = await repository.extraction_fields(
            scope.team_ids, period.start, period.end, limit=FIELD_SAMPLE
        )
        total, predicted, correct = await repository.corrections(
            scope.team_ids, period.start, period.end
        )
        return QualityReport(
            team_id=scope.team_id,
            start=period.start,
            end=period.end,
            ocr=ocr,
            fields=field_quality(extractions),
            classifier=ClassifierQuality(
                corrections=total,
                evaluated=predicted,
                correct=correct,
                accuracy=round(correct / predicted, 4) if predicted else None,
            ),
        )

    async def dashboard(self, session: AsyncSession, scope: Scope, period: Period) -> Dashboard:
        usage = await self.usage(session, scope, period)
        performance = await self.performance(session, scope, period)
        quality = await self.quality(session, scope, period)
        statuses = await AnalyticsRepository.from_session(session).documents_by_status(
            scope.team_ids
        )
        slowest = sorted(performance.routes, key=lambda r: -(r.p95_ms or 0.0))
        return Dashboard(
            team_id=scope.team_id,
            start=period.start,
            end=period.end,
            usage=usage.totals,
            documents_by_status=statuses,
            api_latency=performance.overall,
            slowest_routes=slowest[:DASHBOARD_ROUTES],
            processing=performance.document_kinds,
            ocr_mean_confidence=quality.ocr.mean_confidence,
            low_confidence_fields=quality.fields.low_confidence,
            classifier_accuracy=quality.classifier.accuracy,
        )


def field_quality(extractions: Sequence[dict[str, Any]]) -> FieldQuality:
    """Fields found with a confidence under ``LOW_CONFIDENCE``, by field name; fields not
    found (no value) are not counted."""
    low: dict[str, int] = defaultdict(int)
    found = 0
    for fields in extractions:
        for name, field in fields.items():
            confidence = field.get("confidence") if isinstance(field, dict) else None
            if not isinstance(confidence, int | float) or field.get("value") is None:
                continue
            found += 1
            if confidence < LOW_CONFIDENCE:
                low[name] += 1
    ranked = sorted(low.items(), key=lambda item: (-item[1], item[0]))[:TOP_FIELDS]
    return FieldQuality(
        threshold=LOW_CONFIDENCE,
        extractions=len(extractions),
        fields=found,
        low_confidence=sum(low.values()),
        by_field=[FieldCount(field=name, count=count) for name, count in ranked],
    )


analytics = AnalyticsService()
