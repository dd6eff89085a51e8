"""Built-in ``key_values`` template: every ``Label: value`` pair of a document."""

from __future__ import annotations

from folio.pipeline.fields.templates.builder import field, heuristic
from folio.pipeline.fields.types import FieldSpec, FieldType, Template

T = FieldType


def key_values_template() -> Template:
    pair = [FieldSpec(name="key", type=T.string), FieldSpec(name="value", type=T.string)]
    return Template(
        name="key_values",
        version=1,
        description="Generic label: value pairs",
        fields=[
            field(
                "pairs",
                T.list,
                heuristic("key_values"),
                item_type=T.object,
                fields=pair,
                max_items=500,
            ),
        ],
    )
