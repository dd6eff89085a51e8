"""Documents: a delete_after timestamp, set by an automation's delete_after action

The retention purge deletes a document once this moment has passed (unless a legal hold
keeps it), besides what the team's policies delete.

Revision ID: 20261207_0910_delete_after
Revises: 20261207_0900_corrections
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import folio.core.db

revision: str = "20261207_0910_delete_after"
down_revision: str | None = "20261207_0900_corrections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column("delete_after", folio.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_documents_delete_after", ["delete_after"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_delete_after")
        batch.drop_column("delete_after")
