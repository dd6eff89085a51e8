"""MFA brute force and replay: a per-account count of wrong codes and the last TOTP step used

A wrong code rolled its request back, so nothing counted it and the sign-in token stayed
valid; a code could also be used again within its 30-second window (issue 25 item 6).

Revision ID: 20261206_2000
Revises: 20261203_0720
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_2000"
down_revision: str | None = "20261203_0720"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mfa_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("mfa_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mfa_last_step")
        batch_op.drop_column("mfa_failures")
