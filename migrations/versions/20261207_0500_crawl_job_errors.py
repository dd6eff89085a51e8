"""Crawl jobs list their failed seeds (and other failed chunks) with a code and a message

A job whose seed was refused by the SSRF guard or unreachable ended ``completed`` with
nothing and no error; each failure is now reported on the job (issue 25 item 21).

Revision ID: 20261207_0500
Revises: 20261206_2000
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0500"
down_revision: str | None = "20261206_2000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("errors", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("crawl_jobs", schema=None) as batch_op:
        batch_op.drop_column("errors")
