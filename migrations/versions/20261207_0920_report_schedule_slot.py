"""One report per schedule and period: a schedule's slot is built and mailed once

Several processes turn due schedules into reports; the row lock (PostgreSQL) and the write
lock (SQLite) already keep two of them from doing it at once, and this unique index makes a
second report for the same slot impossible whatever happens (issue 21).

Revision ID: 20261207_0920_report_slot
Revises: 20261207_0910_delete_after
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207_0920_report_slot"
down_revision: str | None = "20261207_0910_delete_after"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # reports made by hand have no schedule_id: NULLs never clash in a unique index
    op.create_index(
        "ux_reports_schedule_slot", "reports", ["schedule_id", "period_start"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_reports_schedule_slot", table_name="reports")
