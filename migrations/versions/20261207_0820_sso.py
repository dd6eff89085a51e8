"""OIDC single sign-on: identity providers, linked identities, started flows, the provider
of each SSO session, and the team a team provider's session is bound to (issue 22 part 1)

Revision ID: 20261207_0820_sso
Revises: 20261207_0810_workflows
Create Date: 2026-12-07 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0820_sso"
down_revision: str | None = "20261207_0810_workflows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(2000), nullable=False),
        sa.Column("client_id", sa.String(500), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("group_roles", sa.JSON(), nullable=False),
        sa.Column("default_role", sa.String(40), nullable=False),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uri", sa.String(2000), nullable=True),
        sa.Column("auto_join", sa.Boolean(), nullable=False),
        sa.Column("jit_provisioning", sa.Boolean(), nullable=False),
        sa.Column("sso_required", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_identity_providers_team_id", "identity_providers", ["team_id"])
    op.create_table(
        "sso_identities",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "provider_id",
            sa.String(40),
            sa.ForeignKey("identity_providers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column(
            "user_id", sa.String(40), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("provider_id", "subject"),
    )
    op.create_index("ix_sso_identities_user_id", "sso_identities", ["user_id"])
    op.create_table(
        "sso_flows",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "provider_id",
            sa.String(40),
            sa.ForeignKey("identity_providers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(200), nullable=False),
        sa.Column("redirect_uri", sa.String(2000), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_sso_flows_provider_id", "sso_flows", ["provider_id"])
    op.create_index("ix_sso_flows_expires_at", "sso_flows", ["expires_at"])
    op.create_table(
        "sso_sessions",
        sa.Column(
            "session_id",
            sa.String(40),
            sa.ForeignKey("auth_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "provider_id",
            sa.String(40),
            sa.ForeignKey("identity_providers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_sso_sessions_provider_id", "sso_sessions", ["provider_id"])
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(sa.Column("bound_team_id", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("bound_team_id")
    op.drop_table("sso_sessions")
    op.drop_table("sso_flows")
    op.drop_table("sso_identities")
    op.drop_table("identity_providers")
