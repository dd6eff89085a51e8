"""Analytics reads over the request log, the documents, the histograms and the corrections.

Every read takes ``team_ids``: the teams it may see (one team for a team's analytics, a list
or ``None`` meaning every team for a system admin acting for the system)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from folio.analytics.models import HistogramBucket
from folio.classifiers.models import DocumentLabel
from folio.core.repository import TeamScopedRepository, rows_of_existing_teams
from folio.documents.models import Document, DocumentPage
from folio.templates.models import Extraction
from folio.usage.models import RequestUsage

TeamIds = Collection[str] | None  # None: every team (system scope)


def _within(column: Any, team_ids: TeamIds) -> list[ColumnElement[bool]]:
    """The team filter of every read here; ``None`` (every team) only reaches this from the
    system-admin routes."""
    return [] if team_ids is None else [column.in_(list(team_ids))]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def as_date(value: Any) -> date:
    """SQLite's ``date()`` answers text, PostgreSQL's a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class HistogramRepository(TeamScopedRepository[HistogramBucket]):
    model = HistogramBucket

    async def add_cells(self, rows: Sequence[dict[str, Any]]) -> None:
        """Adds counts and sums to their (day, team, metric, series, bucket) rows; cells of
        a team deleted since the requests are dropped."""
        rows = await rows_of_existing_teams(self.session, rows)
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(HistogramBucket)
        table = HistogramBucket.__table__.c
        statement = statement.on_conflict_do_update(
            index_elements=["day", "team_id", "metric", "series", "bucket"],
            set_={
                "count": table.count + statement.excluded.count,
                "sum_ms": table.sum_ms + statement.excluded.sum_ms,
            },
        )
        await self.session.execute(statement, list(rows))

    async def cells(
        self, team_ids: TeamIds, metric: str, start: date, end: date
    ) -> Sequence[Sequence[Any]]:
        """(series, bucket, count, sum_ms) added up over ``start``..``end`` inclusive."""
        h = HistogramBucket
        statement = (
            select(h.series, h.bucket, func.sum(h.count), func.sum(h.sum_ms))
            .where(h.metric == metric, h.day >= start, h.day <= end, *_within(h.team_id, team_ids))
            .group_by(h.series, h.bucket)
        )
        return (await self.session.execute(statement)).all()


class AnalyticsRepository(TeamScopedRepository[RequestUsage]):
    model = RequestUsage

    async def api_calls(
        self, team_ids: TeamIds, start: date, end: date, dimension: str | None
    ) -> Sequence[Sequence[Any]]:
        """(day, group, requests, errors) per day and ``dimension`` (user_id, key_id or a
        "METHOD route" string; None: one group)."""
        r = RequestUsage
        scope = [r.day >= start, r.day <= end, *_within(r.team_id, team_ids)]
        if dimension is None:
            statement = (
                select(r.day, func.sum(r.requests), func.sum(r.errors))
                .where(*scope)
                .group_by(r.day)
            )
            return [(day, None, n, e) for day, n, e in (await self.session.execute(statement))]
        if dimension == "route":  # grouped on the columns, joined here: cheaper than in SQL
            by_route = (
                select(r.day, r.method, r.route, func.sum(r.requests), func.sum(r.errors))
                .where(*scope)
                .group_by(r.day, r.method, r.route)
            )
            return [
                (day, f"{method} {route}", n, e)
                for day, method, route, n, e in await self.session.execute(by_route)
            ]
        group = getattr(r, dimension)
        grouped = (
            select(r.day, group, func.sum(r.requests), func.sum(r.errors))
            .where(*scope)
            .group_by(r.day, group)
        )
        return (await self.session.execute(grouped)).all()

    async def documents(
        self, team_ids: TeamIds, start: date, end: date, by_type: bool
    ) -> list[tuple[date, str | None, int, int, int]]:
        """(day, document type, documents, pages, bytes) of documents uploaded in the period
        (those deleted since are gone)."""
        d = Document
        day = func.date(d.created_at).label("day")
        group = func.coalesce(d.document_type, "unknown") if by_type else None
        columns: list[Any] = [
            day,
            func.count(d.id),
            func.coalesce(func.sum(d.page_count), 0),
            func.coalesce(func.sum(d.size_bytes), 0),
        ]
        if group is not None:
            columns.insert(1, group)
        statement = select(*columns).where(
            d.created_at >= day_start(start),
            d.created_at < day_start(end + timedelta(days=1)),
            *_within(d.team_id, team_ids),
        )
        statement = statement.group_by(day, group) if group is not None else statement.group_by(day)
        result: list[tuple[date, str | None, int, int, int]] = []
        for row in (await self.session.execute(statement)).all():
            if group is None:
                result.append((as_date(row[0]), None, int(row[1]), int(row[2]), int(row[3])))
            else:
                result.append((as_date(row[0]), row[1], int(row[2]), int(row[3]), int(row[4])))
        return result

    async def storage_bytes(self, team_ids: TeamIds) -> int:
        statement = select(func.coalesce(func.sum(Document.size_bytes), 0)).where(
            *_within(Document.team_id, team_ids)
        )
        return int(await self.session.scalar(statement) or 0)

    async def documents_by_status(self, team_ids: TeamIds) -> dict[str, int]:
        statement = (
            select(Document.status, func.count(Document.id))
            .where(*_within(Document.team_id, team_ids))
            .group_by(Document.status)
        )
        return {str(s): int(n) for s, n in (await self.session.execute(statement)).all()}

    # ---- quality ------------------------------------------------------------------------

    async def ocr_confidences(
        self, team_ids: TeamIds, start: date, end: date
    ) -> Sequence[Sequence[Any]]:
        """(confidence bucket 0..9 by tens, pages, sum of confidences) of the OCR'd pages of
        the current version of documents completed in the period."""
        p, d = DocumentPage, Document
        tens = [(p.ocr_confidence < 10 * (b + 1), b) for b in range(9)]
        bucket = case(*tens, else_=9).label("bucket")  # portable: no min(a, b) or floor
        statement = (
            select(bucket, func.count(p.id), func.sum(p.ocr_confidence))
            .join(d, (d.id == p.document_id) & (d.version == p.version))
            .where(
                p.ocr_confidence.is_not(None),
                d.completed_at >= day_start(start),
                d.completed_at < day_start(end + timedelta(days=1)),
                *_within(d.team_id, team_ids),
            )
            .group_by(bucket)
        )
        return (await self.session.execute(statement)).all()

    async def extraction_fields(
        self, team_ids: TeamIds, start: date, end: date, *, limit: int
    ) -> Sequence[dict[str, Any]]:
        """The ``fields`` of the newest ``limit`` extractions made in the period."""
        e = Extraction
        statement = (
            select(e.fields)
            .where(
                e.created_at >= day_start(start),
                e.created_at < day_start(end + timedelta(days=1)),
                *_within(e.team_id, team_ids),
            )
            .order_by(e.id.desc())
            .limit(limit)
        )
        return [f or {} for f in (await self.session.scalars(statement)).all()]

    async def corrections(self, team_ids: TeamIds, start: date, end: date) -> tuple[int, int, int]:
        """(corrections made, corrections of a predicted type, those that kept the prediction)
        in the period: a correction that confirms the predicted type counts as a hit."""
        lbl = DocumentLabel
        hit = func.sum(case((lbl.label == lbl.previous_type, 1), else_=0))
        statement = select(
            func.count(lbl.id), func.count(lbl.previous_type), func.coalesce(hit, 0)
        ).where(
            lbl.updated_at >= day_start(start),
            lbl.updated_at < day_start(end + timedelta(days=1)),
            *_within(lbl.team_id, team_ids),
        )
        total, predicted, correct = (await self.session.execute(statement)).one()
        return int(total), int(predicted), int(correct or 0)
