from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from folio.core.schemas import Schema
from folio.pipeline.fields import (
    FieldSpec,
    Rule,
    RuleInput,
)

TemplateName = str
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
DateOrder = Literal["DMY", "MDY", "YMD"]


class TemplateCreate(Schema):
    name: str = Field(pattern=NAME_PATTERN, description="Lower case: letters, digits, _ . -")
    description: str = Field(default="", max_length=2000)
    fields: list[FieldSpec] = Field(min_length=1, max_length=200)
    rules: list[RuleInput] = Field(default_factory=list, max_length=200)
    date_order: DateOrder = "DMY"


class TemplateUpdate(Schema):
    """Any change makes a new version; results keep naming the version they used."""

    name: str | None = Field(default=None, pattern=NAME_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    fields: list[FieldSpec] | None = Field(default=None, min_length=1, max_length=200)
    rules: list[RuleInput] | None = Field(default=None, max_length=200)
    date_order: DateOrder | None = None


class TemplateRead(Schema):
    id: str = Field(description="tpl_… for a team template, the name for a built-in")
    team_id: str | None
    name: str
    description: str
    version: int
    builtin: bool
    fields: list[FieldSpec]
    rules: list[Rule]
    date_order: DateOrder
    created_at: datetime | None
    updated_at: datetime | None


class TemplateVersionRead(Schema):
    version: int
    description: str
    fields: list[FieldSpec]
    rules: list[Rule]
    date_order: DateOrder
    created_at: datetime | None
