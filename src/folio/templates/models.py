from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class ExtractionTemplate(TimestampMixin, Base):
    """A team's template; ``definition`` is the latest version (fields, rules, date order)."""

    __tablename__ = "extraction_templates"
    __table_args__ = (Index("uq_extraction_templates_team_name", "team_id", "name", unique=True),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(40))


class ExtractionTemplateVersion(TimestampMixin, Base):
    """Every version a template ever had, so results name the exact definition they used."""

    __tablename__ = "extraction_template_versions"
    __table_args__ = (
        Index(
            "uq_extraction_template_versions_template_version",
            "template_id",
            "version",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template_id: Mapped[str] = mapped_column(
        ForeignKey("extraction_templates.id", ondelete="CASCADE")
    )
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(40))


class Extraction(TimestampMixin, Base):
    """A template applied to one version of a document: every field with raw text, normalised
    value, confidence, page and box, plus tables and the template's validation."""

    __tablename__ = "extractions"
    __table_args__ = (
        Index("ix_extractions_document_template", "document_id", "template_name"),
        Index("ix_extractions_team_template", "team_id", "template_name"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    document_version: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[str | None] = mapped_column(String(40))  # None for a built-in
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    tables: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    validation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    llm_pending: Mapped[list[str]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(40))
