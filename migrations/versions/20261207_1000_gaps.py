"""Notification preferences remember which categories existed when they were saved, so a
category added later (``workflows``) reads as its default for people who saved before it

Revision ID: 20261207_1000_gaps
Revises: 20261207_0940_uploader
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_1000_gaps"
down_revision: str | None = "20261207_0940_uploader"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the rows there are: they were saved knowing the categories before workflows
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("known_categories", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_column("known_categories")
