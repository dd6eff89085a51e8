"""Extraction corrections: a reviewer's value for one extracted field, with the one it replaced

The web app's extraction review (issue 19, area 4) edits a field; the extraction takes the
value and this table keeps the history.

Revision ID: 20261207_0900_corrections
Revises: 20261207_0840_hardening
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import folio.core.db

revision: str = "20261207_0900_corrections"
down_revision: str | None = "20261207_0840_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "extraction_corrections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("extraction_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("previous_value", sa.JSON(), nullable=True),
        sa.Column("previous_confidence", sa.Float(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("raw", sa.String(length=2000), nullable=False),
        sa.Column("corrected_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["extraction_id"], ["extractions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_extraction_corrections_team_id", "extraction_corrections", ["team_id"], unique=False
    )
    op.create_index(
        "ix_extraction_corrections_extraction",
        "extraction_corrections",
        ["extraction_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_extraction_corrections_extraction", table_name="extraction_corrections")
    op.drop_index("ix_extraction_corrections_team_id", table_name="extraction_corrections")
    op.drop_table("extraction_corrections")
