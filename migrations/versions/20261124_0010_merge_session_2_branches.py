"""Merge the branches written side by side in session 2 back into a single head.

Revision ID: 20261124_0010
Revises: 20261124_0001, 20261124_0002, 20261124_0003, 20261124_0004, 20261124_0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

revision: str = "20261124_0010"
down_revision: str | Sequence[str] | None = (
    "20261124_0001",
    "20261124_0002",
    "20261124_0003",
    "20261124_0004",
    "20261124_0005",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
