"""intelligence services: labels, classifier models, security events, redactions,
recommendations and their actions

Revision ID: 20261124_0003
Revises: 20261123_0006
Create Date: 2026-11-23 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from folio.core.db import UTCDateTime

revision: str = "20261124_0003"
down_revision: str | None = "20261123_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def _fk(table: str, column: str, target: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(
        column,
        sa.String(length=40),
        # op.f: PostgreSQL truncates names past 63 characters (with a hash) instead of failing
        sa.ForeignKey(
            f"{target}.id", name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
        ),
        nullable=nullable,
    )


def _create(table: str, *columns: sa.Column) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.String(length=40), nullable=False),
        _fk(table, "team_id", "teams"),
        *columns,
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )
    op.create_index(f"ix_{table}_team_id", table, ["team_id"])


def upgrade() -> None:
    _create(
        "document_labels",
        _fk("document_labels", "document_id", "documents"),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("previous_type", sa.String(length=50), nullable=True),
        sa.Column("labelled_by", sa.String(length=40), nullable=True),
    )
    op.create_index(
        "uq_document_labels_document_id", "document_labels", ["document_id"], unique=True
    )
    _create(
        "classifier_models",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=False),
        sa.Column("folds", sa.Integer(), nullable=False),
        sa.Column("fold_scores", sa.JSON(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sklearn_version", sa.String(length=20), nullable=True),
        sa.Column("trained_by", sa.String(length=40), nullable=True),
    )
    op.create_index(
        "uq_classifier_models_team_version",
        "classifier_models",
        ["team_id", "version"],
        unique=True,
    )
    _create(
        "security_events",
        sa.Column("document_id", sa.String(length=40), nullable=False),
        sa.Column("document_version", sa.Integer(), nullable=True),
        sa.Column("scan_id", sa.String(length=40), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_security_events_team_id_id", "security_events", ["team_id", "id"])
    op.create_index("ix_security_events_document_id", "security_events", ["document_id"])
    _create(
        "redactions",
        _fk("redactions", "document_id", "documents"),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("entity_types", sa.JSON(), nullable=False),
        sa.Column("requested_boxes", sa.JSON(), nullable=False),
        sa.Column("pages_redacted", sa.JSON(), nullable=False),
        sa.Column("box_count", sa.Integer(), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("whole_pages", sa.JSON(), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
    )
    op.create_index("ix_redactions_document_id_id", "redactions", ["document_id", "id"])
    _create(
        "document_recommendations",
        _fk("document_recommendations", "document_id", "documents"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=True),
        sa.Column("entity_types", sa.JSON(), nullable=False),
    )
    op.create_index(
        "ix_document_recommendations_document_id",
        "document_recommendations",
        ["document_id", "version"],
    )
    _create(
        "recommendation_actions",
        _fk("recommendation_actions", "recommendation_id", "document_recommendations"),
        _fk("recommendation_actions", "document_id", "documents"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=True),
        sa.Column("reviewed_by", sa.String(length=40), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_recommendation_actions_team_id_id", "recommendation_actions", ["team_id", "id"]
    )
    op.create_index(
        "ix_recommendation_actions_recommendation_id",
        "recommendation_actions",
        ["recommendation_id"],
    )


def downgrade() -> None:
    for table in (
        "recommendation_actions",
        "document_recommendations",
        "redactions",
        "security_events",
        "classifier_models",
        "document_labels",
    ):
        op.drop_table(table)
