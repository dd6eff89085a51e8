"""job dispatch: broker hand-off and worker leases for the Celery executor

Revision ID: 20261124_0004
Revises: 20261123_0006
Create Date: 2026-11-23 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261124_0004"
down_revision: str | None = "20261123_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", UTCDateTime(), nullable=True))
        batch_op.create_index(
            "ix_jobs_status_team_priority", ["status", "team_id", "priority", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_team_priority")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("dispatched_at")
