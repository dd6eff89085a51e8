"""Team tags, typed custom-field definitions, and what each document carries of them.

The link tables are the truth and what filters query; ``Document.tags`` and
``Document.custom_fields`` are their read copy, so a document's summary (and its cached JSON)
shows them without a join."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum


class Tag(TimestampMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_tags_team_name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(7))
    description: Mapped[str | None] = mapped_column(String(500))


class FieldType(StrEnum):
    text = "text"
    number = "number"
    money = "money"
    date = "date"
    select = "select"
    user = "user"


class CustomField(TimestampMixin, Base):
    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_custom_fields_team_name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))  # the key in filters, rules and results
    label: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[FieldType] = mapped_column(str_enum(FieldType))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # select: the choices
    currency: Mapped[str | None] = mapped_column(String(3))  # money: ISO 4217


class DocumentTag(Base):
    __tablename__ = "document_tags"
    __table_args__ = (Index("ix_document_tags_tag_id", "tag_id"),)

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(40))


class DocumentFieldValue(Base):
    __tablename__ = "document_field_values"
    __table_args__ = (Index("ix_document_field_values_field_key", "field_id", "value_key"),)

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[str] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)
    # the value normalised to text (a number without trailing zeros, a date in ISO form):
    # what ``field.<name>=`` compares
    value_key: Mapped[str] = mapped_column(String(1000))
