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
    _automations()
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("custom_fields", sa.JSON(), nullable=False, server_default="{}")
        )


def _automations() -> None:
    op.create_table(
        "automation_rules",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("trigger_type", sa.String(40), nullable=False),
        sa.Column("conditions", sa.JSON()),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("max_failures", sa.Integer(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("paused_at", UTCDateTime()),
        sa.Column("paused_reason", sa.String(300)),
        sa.Column("next_run_at", UTCDateTime()),
        sa.Column("created_by", sa.String(40)),
        *_timestamps(),
    )
    op.create_index("ix_automation_rules_team_id", "automation_rules", ["team_id"])
    op.create_index("ix_automation_rules_trigger_type", "automation_rules", ["trigger_type"])
    op.create_index(
        "ix_automation_rules_team_position", "automation_rules", ["team_id", "position"]
    )
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column(
            "rule_id",
            sa.String(40),
            sa.ForeignKey("automation_rules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", sa.String(80), nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("event_data", sa.JSON(), nullable=False),
        sa.Column("document_id", sa.String(40)),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("cause", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("matched", sa.Boolean()),
        sa.Column("evaluation", sa.JSON()),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("claimed_until", UTCDateTime()),
        sa.Column("holder", sa.String(100)),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.UniqueConstraint("rule_id", "event_id", name="uq_automation_runs_rule_event"),
    )
    op.create_index("ix_automation_runs_team_id", "automation_runs", ["team_id"])
    op.create_index("ix_automation_runs_due", "automation_runs", ["status", "next_attempt_at"])
    op.create_index("ix_automation_runs_rule_id_id", "automation_runs", ["rule_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("custom_fields")
        batch_op.drop_column("tags")
    tables = ("automation_runs", "automation_rules")
    for table in (*tables, "document_field_values", "document_tags", "custom_fields", "tags"):
        op.drop_table(table)
