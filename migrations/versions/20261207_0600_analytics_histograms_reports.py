"""Analytics histograms (per day, team, metric, series and bucket), reports and report schedules

Issue 21 parts 2 and 3 (helper ``analytics``): percentiles over any period need bucket
counts, not sums; reports are built in the background and may be scheduled and mailed.

Revision ID: 20261207_0600_analytics
Revises: 20261207_0500
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import folio.core.db

revision: str = "20261207_0600_analytics"
down_revision: str | None = "20261207_0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_histograms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("series", sa.String(length=320), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("sum_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "day", "team_id", "metric", "series", "bucket", name="uq_analytics_histograms_cell"
        ),
    )
    op.create_index(
        "ix_analytics_histograms_team_metric_day",
        "analytics_histograms",
        ["team_id", "metric", "day"],
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("schedule_id", sa.String(length=40), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", folio.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("blob_key", sa.String(length=300), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("ready_at", folio.core.db.UTCDateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reports_team_id_id", "reports", ["team_id", "id"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_table(
        "report_schedules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("cadence", sa.String(length=20), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("next_run_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_report_id", sa.String(length=40), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_schedules_team_id_id", "report_schedules", ["team_id", "id"])
    op.create_index("ix_report_schedules_next_run_at", "report_schedules", ["next_run_at"])


def downgrade() -> None:
    op.drop_table("report_schedules")
    op.drop_table("reports")
    op.drop_table("analytics_histograms")
