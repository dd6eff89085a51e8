"""Erasure requests run in the background: a runner's lease and how far it got

A request is accepted as ``pending``; a runner claims it with a lease, works through the
team's documents in batches, records the last document examined, and a runner that died
leaves a lease that lapses so another one carries on from there (issue 21).

Revision ID: 20261207_0930_erasure_runner
Revises: 20261207_0920_report_slot
Create Date: 2026-12-07 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0930_erasure_runner"
down_revision: str | None = "20261207_0920_report_slot"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "lease_owner",
    "lease_expires_at",
    "attempts",
    "examined_through",
    "documents_examined",
    "started_at",
    "error_message",
)


def upgrade() -> None:
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(120)))
        batch_op.add_column(sa.Column("lease_expires_at", UTCDateTime()))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("examined_through", sa.String(40)))
        batch_op.add_column(
            sa.Column("documents_examined", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("started_at", UTCDateTime()))
        batch_op.add_column(sa.Column("error_message", sa.String(500)))
    op.create_index("ix_erasure_requests_status", "erasure_requests", ["status"])


def downgrade() -> None:
    op.drop_index("ix_erasure_requests_status", table_name="erasure_requests")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
