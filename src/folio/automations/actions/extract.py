"""run_validation: the check of ``POST /documents/{id}/validate``, done by a rule in the
run's transaction (apply_template is in extraction.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.acting import acting_for, require_processed, unknown
from folio.automations.actions.base import Action, ActionContext, ActionFailed
from folio.core.errors import FieldError
from folio.core.permissions import Permission
from folio.extractions.schemas import ValidateRequest
from folio.extractions.validation import validation as validation_service
from folio.templates.service import ResolvedTemplate
from folio.templates.service import template as template_service

TemplateReference = Field(
    min_length=1, max_length=100, description="A built-in's name, or a team template's id or name"
)


async def _template(session: AsyncSession, team_id: str, reference: str) -> ResolvedTemplate:
    found = await template_service.find_for_team(session, team_id, reference)
    if found is None:
        raise ActionFailed(f"the template {reference} no longer exists")
    return found


class RunValidation(Action):
    kind: Literal["run_validation"]
    template: str = TemplateReference

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        found = await template_service.find_for_team(session, team_id, self.template)
        if found is None:
            return unknown(f"{path}.template", "unknown_template", f"No template {self.template}.")
        if not found.template.rules:
            return unknown(f"{path}.template", "no_rules", f"{self.template} has no rules.")
        return []

    def preview(self) -> str:
        return f"validate with the rules of template {self.template}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        require_processed(document)
        found = await _template(context.session, context.team_id, self.template)
        report = await validation_service.validate(
            context.session,
            context.runtime,
            acting_for(context.team_id, Permission.documents_read),
            document.id,
            ValidateRequest(template_id=found.template_id),
        )
        return {
            "passed": report.passed,
            "failed": report.failed,
            "extraction_id": report.extraction_id,
        }
