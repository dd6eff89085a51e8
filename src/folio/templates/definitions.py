"""Conversions between stored rows and the pipeline's templates and extractions (no queries),
shared by the templates service and the job path that applies a requested template."""

from __future__ import annotations

from typing import Any

from folio.core.ids import IdPrefix, new_id
from folio.documents.models import Document
from folio.pipeline.fields import BUILTINS, ExtractionResult, Template, get_template
from folio.templates.models import Extraction, ExtractionTemplate


def template_from_row(row: ExtractionTemplate) -> Template:
    return Template(
        name=row.name, version=row.version, description=row.description, **row.definition
    )


def builtin(reference: str) -> Template | None:
    return get_template(reference) if reference in BUILTINS else None


def extraction_row(
    document: Document,
    template_id: str,
    template: Template,
    extraction: ExtractionResult,
    *,
    created_by: str | None,
) -> Extraction:
    dumped: dict[str, Any] = extraction.model_dump(mode="json")
    return Extraction(
        id=new_id(IdPrefix.extraction),
        team_id=document.team_id,
        document_id=document.id,
        document_version=document.version,
        template_id=template_id,
        template_name=template.name,
        template_version=template.version,
        values={name: field["value"] for name, field in dumped["fields"].items()},
        fields=dumped["fields"],
        tables=dumped["tables"],
        validation=dumped["validation"],
        llm_pending=extraction.llm_pending,
        warnings=extraction.warnings,
        created_by=created_by,
    )
