"""What a report says, independent of its file format: titled tables and bar charts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.analytics.repository import day_start
from folio.analytics.schemas import Period
from folio.analytics.service import Scope
from folio.analytics.service import analytics as analytics_service
from folio.reports.models import ReportKind
from folio.reports.repository import ReportSourceRepository
from folio.security_scans.models import SecurityEventType

MAX_ROWS = 50_000  # per table: a report is a summary, not an export of everything
CHART_BARS = 12


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    labels: list[str]
    values: list[float]


@dataclass
class Content:
    title: str
    period: Period
    tables: list[Table]
    charts: list[Chart]
    summary: list[tuple[str, Any]]  # the figures a mail and the PDF's first page show


def _bounds(period: Period) -> tuple[Any, Any]:
    return day_start(period.start), day_start(period.end + timedelta(days=1))


def _top(counter: Counter[str], title: str) -> Chart:
    common = counter.most_common(CHART_BARS)
    return Chart(title, [k for k, _ in common], [float(v) for _, v in common])


async def usage(session: AsyncSession, team_id: str, period: Period) -> Content:
    report = await analytics_service.usage(session, Scope(team_id), period)
    table = Table(
        "Usage per day",
        ["day", "documents", "pages", "uploaded_bytes", "api_calls", "api_errors"],
        [
            [
                p.period.isoformat(),
                p.documents,
                p.pages,
                p.uploaded_bytes,
                p.api_calls,
                p.api_errors,
            ]
            for p in report.series
        ],
    )
    totals = report.totals
    return Content(
        title="Usage report",
        period=period,
        tables=[table],
        charts=[
            Chart("API calls per day", [r[0][5:] for r in table.rows], [r[4] for r in table.rows]),
            Chart("Documents per day", [r[0][5:] for r in table.rows], [r[1] for r in table.rows]),
        ],
        summary=[
            ("Documents", totals.documents),
            ("Pages", totals.pages),
            ("API calls", totals.api_calls),
            ("API errors", totals.api_errors),
            ("Uploaded bytes", totals.uploaded_bytes),
            ("Stored bytes", totals.storage_bytes),
        ],
    )


async def performance(session: AsyncSession, team_id: str, period: Period) -> Content:
    report = await analytics_service.performance(session, Scope(team_id), period)
    columns = ["count", "mean_ms", "p50_ms", "p95_ms", "p99_ms"]
    routes = Table(
        "Latency per route",
        ["route", *columns],
        [[r.route, *(getattr(r, c) for c in columns)] for r in report.routes],
    )
    kinds = Table(
        "Processing time per page by document kind",
        ["kind", "pages", *columns[1:]],
        [[k.kind, *(getattr(k, c) for c in columns)] for k in report.document_kinds],
    )
    slowest = sorted(report.routes, key=lambda r: -(r.p95_ms or 0.0))[:CHART_BARS]
    overall = report.overall
    return Content(
        title="Performance report",
        period=period,
        tables=[routes, kinds],
        charts=[
            Chart(
                "p95 latency by route (ms)",
                [r.route for r in slowest],
                [r.p95_ms or 0.0 for r in slowest],
            ),
            Chart(
                "Mean processing time per page (ms)",
                [k.kind for k in report.document_kinds],
                [k.mean_ms or 0.0 for k in report.document_kinds],
            ),
        ],
        summary=[
            ("Requests", overall.count),
            ("p50 latency (ms)", overall.p50_ms),
            ("p95 latency (ms)", overall.p95_ms),
            ("p99 latency (ms)", overall.p99_ms),
        ],
    )


async def compliance(session: AsyncSession, team_id: str, period: Period) -> Content:
    repository = ReportSourceRepository.from_session(session)
    start, end = _bounds(period)
    events = await repository.findings(
        team_id, SecurityEventType.compliance_indicator, start, end, MAX_ROWS
    )
    names = await repository.filenames(team_id, list({e.document_id for e in events}))
    table = Table(
        "Compliance findings",
        ["found_at", "document_id", "filename", "framework", "code", "severity", "message"],
        [
            [
                e.created_at.isoformat(),
                e.document_id,
                names.get(e.document_id, ""),
                e.details.get("framework", ""),
                e.code,
                str(e.severity),
                e.message,
            ]
            for e in events
        ],
    )
    severities = Counter(str(e.severity) for e in events)
    frameworks = Counter(str(e.details.get("framework", "")) for e in events)
    return Content(
        title="Compliance findings",
        period=period,
        tables=[table],
        charts=[_top(severities, "Findings by severity"), _top(frameworks, "By framework")],
        summary=[
            ("Findings", len(events)),
            ("Documents", len({e.document_id for e in events})),
            *((f"Severity {k}", v) for k, v in sorted(severities.items())),
        ],
    )


async def audit(session: AsyncSession, team_id: str, period: Period) -> Content:
    start, end = _bounds(period)
    entries = await ReportSourceRepository.from_session(session).audit_entries(
        team_id, start, end, MAX_ROWS
    )
    table = Table(
        "Audit trail",
        ["at", "actor_type", "actor_user_id", "actor_key_id", "action", "resource_type",
         "resource_id", "status_code", "outcome", "ip"],
        [
            [e.created_at.isoformat(), e.actor_type, e.actor_user_id, e.actor_key_id, e.action,
             e.resource_type, e.resource_id, e.status_code, e.outcome, e.ip]
            for e in entries
        ],
    )  # fmt: skip
    actions = Counter(e.action for e in entries)
    outcomes = Counter(e.outcome for e in entries)
    return Content(
        title="Audit report",
        period=period,
        tables=[table],
        charts=[_top(actions, "Entries by action"), _top(outcomes, "Entries by outcome")],
        summary=[
            ("Entries", len(entries)),
            *((f"Outcome {k}", v) for k, v in sorted(outcomes.items())),
        ],
    )


async def pii_inventory(session: AsyncSession, team_id: str, period: Period) -> Content:
    """Which documents hold which kinds of personal data, and how many of each: types and
    counts only, never the values."""
    repository = ReportSourceRepository.from_session(session)
    start, end = _bounds(period)
    events = await repository.findings(
        team_id, SecurityEventType.pii_detected, start, end, MAX_ROWS
    )
    latest = {e.document_id: e for e in events}  # the newest finding per document
    names = await repository.filenames(team_id, list(latest))
    per_type: Counter[str] = Counter()
    rows = []
    for document_id, event in sorted(latest.items()):
        counts = {str(k): int(v) for k, v in (event.details.get("counts") or {}).items()}
        per_type.update(counts)
        rows.append(
            [document_id, names.get(document_id, ""), str(event.details.get("risk_level", "")),
             ", ".join(f"{k}:{v}" for k, v in sorted(counts.items())), sum(counts.values())]
        )  # fmt: skip
    return Content(
        title="PII inventory",
        period=period,
        tables=[
            Table(
                "Documents with personal data",
                ["document_id", "filename", "risk_level", "types", "items"],
                rows,
            ),
            Table(
                "Items per type", ["type", "items"], [[k, v] for k, v in sorted(per_type.items())]
            ),
        ],
        charts=[_top(per_type, "Personal data items by type")],
        summary=[("Documents with personal data", len(rows)), ("Items", sum(per_type.values()))],
    )


BUILDERS = {
    ReportKind.usage: usage,
    ReportKind.performance: performance,
    ReportKind.compliance: compliance,
    ReportKind.audit: audit,
    ReportKind.pii_inventory: pii_inventory,
}


async def collect(session: AsyncSession, kind: ReportKind, team_id: str, period: Period) -> Content:
    return await BUILDERS[kind](session, team_id, period)
