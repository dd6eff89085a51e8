"""document shares

Revision ID: 20261124_0005
Revises: 20261123_0006
Create Date: 2026-11-23 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import folio.core.db

revision: str = "20261124_0005"
down_revision: str | None = "20261123_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_shares",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("recipient_user_id", sa.String(length=40), nullable=True),
        sa.Column("assignment_id", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("expires_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", folio.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("download_count", sa.Integer(), nullable=False),
        sa.Column("last_accessed_at", folio.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", folio.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_shares_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["users.id"],
            name=op.f("fk_document_shares_recipient_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_document_shares_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_shares")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_document_shares_token_hash")),
    )
    with op.batch_alter_table("document_shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_document_shares_team_document", ["team_id", "document_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("document_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_document_shares_team_document")
    op.drop_table("document_shares")
