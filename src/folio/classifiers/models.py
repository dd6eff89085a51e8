from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class DocumentLabel(TimestampMixin, Base):
    """A user's correction of a document's type: the training data of the team's model."""

    __tablename__ = "document_labels"
    __table_args__ = (Index("uq_document_labels_document_id", "document_id", unique=True),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(50))
    previous_type: Mapped[str | None] = mapped_column(String(50))
    labelled_by: Mapped[str | None] = mapped_column(String(40))


class ClassifierModel(TimestampMixin, Base):
    """One trained version of a team's document classifier; the model itself is a blob."""

    __tablename__ = "classifier_models"
    __table_args__ = (
        Index("uq_classifier_models_team_version", "team_id", "version", unique=True),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    accuracy: Mapped[float] = mapped_column(Float)
    folds: Mapped[int] = mapped_column(Integer)
    fold_scores: Mapped[list[float]] = mapped_column(JSON, default=list)
    samples: Mapped[int] = mapped_column(Integer)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # label -> examples
    blob_key: Mapped[str] = mapped_column(String(300))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sklearn_version: Mapped[str | None] = mapped_column(String(20))
    trained_by: Mapped[str | None] = mapped_column(String(40))
