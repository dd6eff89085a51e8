from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from folio.core.schemas import Schema
from folio.pipeline.fields import (
    FieldSpec,
    Rule,
    RuleInput,
)

TemplateName = str
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
DateOrder = Literal["DMY", "MDY", "YMD"]
# Each locator and field costs matching time on every document a template is applied to
MAX_FIELDS = 200  # in the whole template, nested ones included
MAX_LOCATORS = 400  # in the whole template
MAX_LOCATORS_PER_FIELD = 20
MAX_FIELD_DEPTH = 4  # an object's fields are one level down


def _counts(fields: list[FieldSpec], depth: int = 1) -> tuple[int, int, int]:
    """(fields, locators, deepest level), nested fields included."""
    n_fields, n_locators, deepest = len(fields), 0, depth if fields else depth - 1
    for spec in fields:
        if len(spec.locators) > MAX_LOCATORS_PER_FIELD:
            raise ValueError(
                f"field {spec.name!r} has {len(spec.locators)} locators; "
                f"at most {MAX_LOCATORS_PER_FIELD} per field"
            )
        inner = _counts(spec.fields, depth + 1)
        n_fields, n_locators = n_fields + inner[0], n_locators + len(spec.locators) + inner[1]
        deepest = max(deepest, inner[2])
    return n_fields, n_locators, deepest


def _within_caps(fields: list[FieldSpec]) -> list[FieldSpec]:
    n_fields, n_locators, deepest = _counts(fields)
    if n_fields > MAX_FIELDS:
        raise ValueError(f"{n_fields} fields (nested included); at most {MAX_FIELDS}")
    if n_locators > MAX_LOCATORS:
        raise ValueError(f"{n_locators} locators in the template; at most {MAX_LOCATORS}")
    if deepest > MAX_FIELD_DEPTH:
        raise ValueError(f"fields nest {deepest} levels deep; at most {MAX_FIELD_DEPTH}")
    return fields


TemplateFields = Annotated[
    list[FieldSpec], Field(min_length=1, max_length=MAX_FIELDS), AfterValidator(_within_caps)
]


class TemplateCreate(Schema):
    name: str = Field(pattern=NAME_PATTERN, description="Lower case: letters, digits, _ . -")
    description: str = Field(default="", max_length=2000)
    fields: TemplateFields
    rules: list[RuleInput] = Field(default_factory=list, max_length=200)
    date_order: DateOrder = "DMY"


class TemplateUpdate(Schema):
    """Any change makes a new version; results keep naming the version they used."""

    name: str | None = Field(default=None, pattern=NAME_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    fields: TemplateFields | None = None
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
