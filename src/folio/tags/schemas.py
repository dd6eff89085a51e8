from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, StringConstraints, model_validator

from folio.core.schemas import Schema
from folio.tags.models import FieldType

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
DEFAULT_COLOR = "#6b7280"


class TagCreate(Schema):
    name: TagName
    color: Color = DEFAULT_COLOR
    description: str | None = Field(default=None, max_length=500)


class TagUpdate(Schema):
    name: TagName | None = None
    color: Color | None = None
    description: str | None = Field(default=None, max_length=500)


class TagRead(Schema):
    id: str
    team_id: str
    name: str
    color: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class CustomFieldCreate(Schema):
    name: FieldName = Field(description="Lower-case key: `field.<name>=` filters by it")
    label: str | None = Field(default=None, max_length=100)
    type: FieldType
    options: list[Option] = Field(default_factory=list, max_length=200)
    currency: Currency | None = Field(default=None, description="money: ISO 4217, e.g. EUR")

    @model_validator(mode="after")
    def options_only_for_select(self) -> CustomFieldCreate:
        if self.type == FieldType.select and not self.options:
            raise ValueError("a select field needs options")
        if self.type != FieldType.select and self.options:
            raise ValueError("only a select field has options")
        if self.currency is not None and self.type != FieldType.money:
            raise ValueError("only a money field has a currency")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct")
        return self


class CustomFieldUpdate(Schema):
    """The name and type stay: rules, filters and stored values depend on them."""

    label: str | None = Field(default=None, max_length=100)
    options: list[Option] | None = Field(default=None, max_length=200)


class CustomFieldRead(Schema):
    id: str
    team_id: str
    name: str
    label: str | None
    type: FieldType
    options: list[str]
    currency: str | None
    created_at: datetime
    updated_at: datetime


class FieldValueSet(Schema):
    value: JsonValue = Field(
        description="text: string; number: number; money: number or decimal string; "
        "date: YYYY-MM-DD; select: one of the options; user: a member's user id"
    )


class DocumentLabels(Schema):
    """A document's tags and custom-field values after a change."""

    document_id: str
    tags: list[str]
    custom_fields: dict[str, Any]


class BulkTagRequest(Schema):
    document_ids: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        min_length=1, max_length=1000
    )
    action: Literal["add", "remove"]
    tag_ids: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        min_length=1, max_length=50
    )
