"""Tags, custom fields and their values on documents; automation rules and their runs
(issue 20 parts 1, 2, 4)

Revision ID: 20261207_0800_auto
Revises: 20261207_0600_ops
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0800_auto"
down_revision: str | None = "20261207_0600_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _team_id() -> sa.Column:
    return sa.Column(
        "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
    )


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def _document_id() -> sa.Column:
    return sa.Column(
        "document_id",
        sa.String(40),
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("description", sa.String(500)),
        *_timestamps(),
        sa.UniqueConstraint("team_id", "name", name="uq_tags_team_name"),
    )
    op.create_index("ix_tags_team_id", "tags", ["team_id"])
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("label", sa.String(100)),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(3)),
        *_timestamps(),
        sa.UniqueConstraint("team_id", "name", name="uq_custom_fields_team_name"),
    )
    op.create_index("ix_custom_fields_team_id", "custom_fields", ["team_id"])
    op.create_table(
        "document_tags",
        _document_id(),
        sa.Column(
            "tag_id",
            sa.String(40),
            sa.ForeignKey("tags.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("team_id", sa.String(40), nullable=False),
    )
    op.create_index("ix_document_tags_tag_id", "document_tags", ["tag_id"])
    op.create_table(
        "document_field_values",
        _document_id(),
        sa.Column(
            "field_id",
            sa.String(40),
            sa.ForeignKey("custom_fields.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("team_id", sa.String(40), nullable=False),
        sa.Column("value", sa.JSON()),
        sa.Column("value_key", sa.String(1000), nullable=False),
    )
    op.create_index(
        "ix_document_field_values_field_key", "document_field_values", ["field_id", "value_key"]
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("custom_fields", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("custom_fields")
        batch_op.drop_column("tags")
    for table in ("document_field_values", "document_tags", "custom_fields", "tags"):
        op.drop_table(table)
