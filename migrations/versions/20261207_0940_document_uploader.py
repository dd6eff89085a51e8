"""Who uploaded a document (a person and/or an API key), for automation rules' "source"
condition

Revision ID: 20261207_0940_uploader
Revises: 20261207_0930_erasure_runner
Create Date: 2026-12-07 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0940_uploader"
down_revision: str | None = "20261207_0930_erasure_runner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uploaded_by_user_id", sa.String(40)))
        batch_op.add_column(sa.Column("uploaded_by_key_id", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("uploaded_by_key_id")
        batch_op.drop_column("uploaded_by_user_id")
