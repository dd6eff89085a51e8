"""API hardening (issue 22 part 4): per-key IP allow-lists, the ids of the encryption keys the
database has values under, and text columns for the fields stored encrypted

Revision ID: 20261207_0840_hardening
Revises: 20261207_0830_directory
Create Date: 2026-12-07 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0840_hardening"
down_revision: str | None = "20261207_0830_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# encrypted values are text, not JSON; SQLite stores both as text already
ENCRYPTED = (
    ("documents", "intelligence", sa.JSON()),
    ("document_versions", "intelligence", sa.JSON()),
    ("webhook_endpoints", "secret", sa.String(100)),
    ("users", "mfa_secret", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allowed_ips", sa.JSON()))
    op.create_table(
        "encryption_keys_used",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("first_used_at", UTCDateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, column, _ in ENCRYPTED:
            op.alter_column(table, column, type_=sa.Text(), postgresql_using=f"{column}::text")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column, old_type in ENCRYPTED:
            cast = (
                "json"
                if isinstance(old_type, sa.JSON)
                else f"varchar({getattr(old_type, 'length', 100)})"
            )
            op.alter_column(table, column, type_=old_type, postgresql_using=f"{column}::{cast}")
    op.drop_table("encryption_keys_used")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("allowed_ips")
