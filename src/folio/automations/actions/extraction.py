"""apply_template: a template of the team (or a built-in) applied to the document's current
results, as the upload option ``template`` does; it emits ``extraction.completed`` (and
``validation.failed``) like any extraction."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.base import Action, ActionContext, ActionFailed
from folio.core.errors import FieldError
from folio.documents.service import document as document_service
from folio.extractions.service import extraction as extraction_service
from folio.templates.service import template as template_service


class ApplyTemplate(Action):
    kind: Literal["apply_template"]
    template: str = Field(min_length=1, max_length=100, description="A built-in name, or an id")

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        if await template_service.find_for_team(session, team_id, self.template) is None:
            return [FieldError(f"{path}.template", "not_found", "No such template.")]
        return []

    def preview(self) -> str:
        return f"apply template {self.template}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        if document.version == 0:
            return {"skipped": "the document has no results yet"}
        result = await document_service.pipeline_result_of(context.session, document)
        row = await extraction_service.apply_reference(
            context.session, context.runtime, document, result, self.template
        )
        if row is None:  # the reason is the warning it left on the document
            raise ActionFailed((document.warnings or [f"template {self.template} failed"])[-1])
        passed = (row.validation or {}).get("passed")
        return {"extraction_id": row.id, "validation_passed": passed}
