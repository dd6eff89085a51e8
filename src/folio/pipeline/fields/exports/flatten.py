"""Plain values of an extraction, flattened to columns for tabular exports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from folio.pipeline.fields.types import ExtractionResult, FieldSpec, FieldType, Template

Record = tuple[str, ExtractionResult | Mapping[str, Any]]


def values_of(extraction: ExtractionResult | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(extraction, ExtractionResult):
        return extraction.values()
    return dict(extraction)


def cell(value: Any) -> Any:
    """A scalar for one spreadsheet / CSV cell."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "; ".join("" if v is None else str(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def is_object_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"property": {"pincode": …}}`` → ``{"property.pincode": …}``; a list of objects
    becomes its item count (``line_items.count``); other lists are joined with ``; ``."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif is_object_list(value):
            out[f"{name}.count"] = len(value)
        else:
            out[name] = cell(value)
    return out


def template_columns(template: Template) -> list[str]:
    return _spec_columns(template.fields, "")


def _spec_columns(specs: list[FieldSpec], prefix: str) -> list[str]:
    cols: list[str] = []
    for spec in specs:
        name = f"{prefix}{spec.name}"
        if spec.type == FieldType.object:
            cols.extend(_spec_columns(spec.fields, f"{name}."))
        elif spec.type == FieldType.list and spec.fields:
            cols.append(f"{name}.count")
        else:
            cols.append(name)
    return cols


def object_lists(template: Template | None, values: Mapping[str, Any]) -> list[str]:
    if template is not None:
        return [s.name for s in template.fields if s.type == FieldType.list and s.fields]
    return [k for k, v in values.items() if is_object_list(v)]


def item_columns(
    template: Template | None, name: str, items: Iterable[dict[str, Any]]
) -> list[str]:
    if template is not None:
        spec = next(s for s in template.fields if s.name == name)
        return _spec_columns(spec.fields, "")
    cols: list[str] = []
    for item in items:
        for key in flatten(item):
            if key not in cols:
                cols.append(key)
    return cols


LABEL_COLUMNS = ["tags", "custom_fields", "needs_review", "corrected"]


@dataclass(frozen=True)
class DocumentLabels:
    """What a tabular export adds after a document's fields: its tags and custom fields, the
    fields a reviewer should check and those a reviewer corrected (top-level field names)."""

    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    needs_review: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        """One cell per ``LABEL_COLUMNS``: names joined with ``;``, custom fields as JSON."""
        fields = json.dumps(self.custom_fields, ensure_ascii=False) if self.custom_fields else ""
        return [
            ";".join(self.tags),
            fields,
            ";".join(self.needs_review),
            ";".join(self.corrected),
        ]
