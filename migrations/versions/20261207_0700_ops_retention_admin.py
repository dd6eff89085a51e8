"""Retention policies, legal holds, the purge log, erasure requests, per-team quota overrides
and the purge marks on documents (issue 21 parts 5 and 6)

Revision ID: 20261207_0600_ops
Revises: 20261207_0600_analytics
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0600_ops"
down_revision: str | None = "20261207_0600_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("document_type", sa.String(50)),
        sa.Column("created_by", sa.String(40)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_retention_policies_team_id", "retention_policies", ["team_id"])
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("document_id", sa.String(40)),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(40)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime()),
        sa.Column("released_by", sa.String(40)),
    )
    op.create_index("ix_legal_holds_team_document", "legal_holds", ["team_id", "document_id"])
    op.create_index("ix_legal_holds_team_batch", "legal_holds", ["team_id", "batch_id"])
    op.create_table(
        "purge_records",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("document_id", sa.String(40), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("document_type", sa.String(50)),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("source", sa.String(60), nullable=False),
        sa.Column("bytes_freed", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_purge_records_team_id_id", "purge_records", ["team_id", "id"])
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("requested_by", sa.String(40)),
        sa.Column("email", sa.String(320)),
        sa.Column("name", sa.String(200)),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime()),
    )
    op.create_index("ix_erasure_requests_team_id_id", "erasure_requests", ["team_id", "id"])
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_deleted_at", UTCDateTime()))
        batch_op.add_column(sa.Column("results_deleted_at", UTCDateTime()))
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quota_overrides", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("quota_overrides")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("results_deleted_at")
        batch_op.drop_column("original_deleted_at")
    for table in ("erasure_requests", "purge_records", "legal_holds", "retention_policies"):
        op.drop_table(table)
