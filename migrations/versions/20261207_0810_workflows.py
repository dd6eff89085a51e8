"""Workflows with approval steps: templates, instances, tasks and history (issue 20 part 3)

Revision ID: 20261207_0810_workflows
Revises: 20261207_0800_auto
Create Date: 2026-12-07 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261207_0810_workflows"
down_revision: str | None = "20261207_0800_auto"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _team_id() -> sa.Column:
    return sa.Column(
        "team_id", sa.String(40), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
    )


def _instance_id() -> sa.Column:
    return sa.Column(
        "instance_id",
        sa.String(40),
        sa.ForeignKey("workflow_instances.id", ondelete="CASCADE"),
        nullable=False,
    )


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "workflow_templates",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000)),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(40)),
        *_timestamps(),
    )
    op.create_index("ix_workflow_templates_team_id_id", "workflow_templates", ["team_id", "id"])
    op.create_table(
        "workflow_instances",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        sa.Column("template_id", sa.String(40), nullable=False),
        sa.Column("template_name", sa.String(200), nullable=False),
        sa.Column(
            "document_id",
            sa.String(40),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("current_step", sa.Integer()),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(40)),
        sa.Column("ended_at", UTCDateTime()),
        *_timestamps(),
    )
    op.create_index("ix_workflow_instances_team_id_id", "workflow_instances", ["team_id", "id"])
    op.create_index("ix_workflow_instances_document_id", "workflow_instances", ["document_id"])
    op.create_table(
        "workflow_tasks",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        _instance_id(),
        sa.Column("document_id", sa.String(40), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("assignee_user_id", sa.String(40)),
        sa.Column("assignee_role", sa.String(40)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("due_at", UTCDateTime()),
        sa.Column("remind_every_s", sa.Integer()),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", UTCDateTime()),
        sa.Column("acted_by", sa.String(40)),
        sa.Column("acted_at", UTCDateTime()),
        *_timestamps(),
    )
    op.create_index("ix_workflow_tasks_team_id_id", "workflow_tasks", ["team_id", "id"])
    op.create_index("ix_workflow_tasks_instance_id", "workflow_tasks", ["instance_id"])
    op.create_index("ix_workflow_tasks_state_due_at", "workflow_tasks", ["state", "due_at"])
    op.create_table(
        "workflow_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        _team_id(),
        _instance_id(),
        sa.Column("task_id", sa.String(40)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor_user_id", sa.String(40)),
        sa.Column("comment", sa.String(4000)),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workflow_entries_instance_id_id", "workflow_entries", ["instance_id", "id"])


def downgrade() -> None:
    for table in ("workflow_entries", "workflow_tasks", "workflow_instances", "workflow_templates"):
        op.drop_table(table)
