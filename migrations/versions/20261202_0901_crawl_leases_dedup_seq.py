"""crawls at scale-out: chunk leases, and the sequence that keeps de-duplication indexes of
several processes current

Revision ID: 20261202_0901
Revises: 20261124_0010
Create Date: 2026-12-02 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261202_0901"
down_revision: str | None = "20261124_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_chunks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dedup_seq", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("crawl_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedup_seq", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_crawl_images_project_id_dedup_seq", ["project_id", "dedup_seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_images", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_images_project_id_dedup_seq")
        batch_op.drop_column("dedup_seq")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("dedup_seq")
    with op.batch_alter_table("crawl_chunks", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("lease_owner")
