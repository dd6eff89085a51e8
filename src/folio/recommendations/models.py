from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum


class DocumentRecommendation(TimestampMixin, Base):
    """A recommendation of a document's analysis, kept so it has a stable id to act on."""

    __tablename__ = "document_recommendations"
    __table_args__ = (Index("ix_document_recommendations_document_id", "document_id", "version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # derived: document+version+code
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10))
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    action: Mapped[str | None] = mapped_column(String(30))
    entity_types: Mapped[list[str]] = mapped_column(JSON, default=list)


class ActionKind(StrEnum):
    redaction = "redaction"  # approving runs a redaction of the entity types
    review = "review"  # approving records that a person handled it


class ActionStatus(StrEnum):
    pending_review = "pending_review"
    completed = "completed"
    rejected = "rejected"
    failed = "failed"


class RecommendationAction(TimestampMixin, Base):
    """What implementing a recommendation created: waits for a reviewer's approval."""

    __tablename__ = "recommendation_actions"
    __table_args__ = (Index("ix_recommendation_actions_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[str] = mapped_column(
        ForeignKey("document_recommendations.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[ActionKind] = mapped_column(str_enum(ActionKind))
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus), default=ActionStatus.pending_review
    )
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str | None] = mapped_column(String(40))
    reviewed_by: Mapped[str | None] = mapped_column(String(40))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str | None] = mapped_column(Text)
