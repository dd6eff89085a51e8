"""LDAP directories, the accounts a directory manages, sync runs and SCIM tokens (issue 22
parts 2 and 3)

Revision ID: 20261207_0830_directory
Revises: 20261207_0820_sso
Create Date: 2026-12-07 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0830_directory"
down_revision: str | None = "20261207_0820_sso"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def team_column() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
    )


def timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "ldap_directories",
        sa.Column("id", sa.String(40), primary_key=True),
        team_column(),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("start_tls", sa.Boolean(), nullable=False),
        sa.Column("verify_tls", sa.Boolean(), nullable=False),
        sa.Column("ca_certificate", sa.Text()),
        sa.Column("bind_dn", sa.String(500)),
        sa.Column("bind_password", sa.Text()),
        sa.Column("user_base", sa.String(500), nullable=False),
        sa.Column("user_filter", sa.String(1000), nullable=False),
        sa.Column("uid_attribute", sa.String(100), nullable=False),
        sa.Column("email_attribute", sa.String(100), nullable=False),
        sa.Column("name_attribute", sa.String(100), nullable=False),
        sa.Column("group_base", sa.String(500)),
        sa.Column("group_filter", sa.String(1000), nullable=False),
        sa.Column("group_member_attribute", sa.String(100), nullable=False),
        sa.Column("group_roles", sa.JSON(), nullable=False),
        sa.Column("default_role", sa.String(40)),
        sa.Column("sync_enabled", sa.Boolean(), nullable=False),
        sa.Column("sync_interval_s", sa.Integer(), nullable=False),
        sa.Column("login_enabled", sa.Boolean(), nullable=False),
        sa.Column("last_sync_at", UTCDateTime()),
        sa.Column("created_by", sa.String(40)),
        *timestamps(),
    )
    op.create_index("ix_ldap_directories_team_id", "ldap_directories", ["team_id"], unique=True)
    op.create_table(
        "directory_accounts",
        sa.Column("id", sa.String(40), primary_key=True),
        team_column(),
        sa.Column(
            "user_id", sa.String(40), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("external_id", sa.String(500), nullable=False),
        sa.Column("external_ref", sa.String(500)),
        sa.Column("active", sa.Boolean(), nullable=False),
        *timestamps(),
        sa.UniqueConstraint("team_id", "source", "external_id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_directory_accounts_team_id", "directory_accounts", ["team_id"])
    op.create_table(
        "directory_sync_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        team_column(),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(40)),
    )
    op.create_index("ix_directory_sync_runs_team_id_id", "directory_sync_runs", ["team_id", "id"])
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.String(40), primary_key=True),
        team_column(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(40)),
        sa.Column("last_used_at", UTCDateTime()),
        sa.Column("revoked_at", UTCDateTime()),
        *timestamps(),
    )
    op.create_index("ix_scim_tokens_team_id", "scim_tokens", ["team_id"])


def downgrade() -> None:
    op.drop_table("scim_tokens")
    op.drop_table("directory_sync_runs")
    op.drop_table("directory_accounts")
    op.drop_table("ldap_directories")
