"""A template named in the processing options (``{"template": "sale_deed"}``) is applied as
soon as the document is processed, and its extraction stored with the new version."""

from __future__ import annotations

import logging

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError, ValidationFailed
from folio.documents.models import Document
from folio.pipeline import DocumentResult
from folio.pipeline.fields import Template, apply_template
from folio.templates.definitions import builtin, extraction_row, template_from_row
from folio.templates.repository import ExtractionRepository, TemplateRepository

logger = logging.getLogger("folio.documents")


async def find(session: AsyncSession, team_id: str, reference: str) -> tuple[str, Template] | None:
    """(template id, definition) of a built-in, or of the team's template by id or name."""
    found = builtin(reference)
    if found is not None:
        return reference, found
    row = await TemplateRepository.from_session(session).for_team(team_id, reference)
    return (row.id, template_from_row(row)) if row is not None else None


async def check(session: AsyncSession, team_id: str, reference: str | None) -> None:
    if reference is not None and await find(session, team_id, reference) is None:
        raise ValidationFailed(
            [FieldError("options.template", "not_found", f"No template {reference}.")]
        )


async def apply_requested(
    session: AsyncSession, document: Document, result: DocumentResult
) -> None:
    reference = document.options.get("template")
    if not reference:
        return
    found = await find(session, document.team_id, reference)
    if found is None:  # deleted since the upload
        document.warnings = [*document.warnings, f"template {reference} no longer exists"]
        return
    template_id, template = found
    try:
        extraction = await anyio.to_thread.run_sync(apply_template, result, template)
    except Exception:  # the document's text is fine; only its fields are missing
        logger.exception("template %s failed on %s", reference, document.id)
        document.warnings = [*document.warnings, f"template {reference} could not be applied"]
        return
    await ExtractionRepository.from_session(session).add(
        extraction_row(document, template_id, template, extraction, created_by=None)
    )
