"""Conversions between stored template rows and the pipeline's templates (no queries)."""

from __future__ import annotations

from folio.pipeline.fields import BUILTINS, Template, get_template
from folio.templates.models import ExtractionTemplate


def template_from_row(row: ExtractionTemplate) -> Template:
    return Template(
        name=row.name, version=row.version, description=row.description, **row.definition
    )


def builtin(reference: str) -> Template | None:
    return get_template(reference) if reference in BUILTINS else None
