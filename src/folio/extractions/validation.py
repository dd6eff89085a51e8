"""``POST /documents/{id}/validate``: rules (sent, or stored on a template) checked against the
document's extracted values, per rule pass / fail / skip with the values involved."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict, FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.extractions.schemas import ValidateRequest, ValidationRead
from folio.extractions.service import sandboxed
from folio.pipeline.fields import apply_template_all, validate_values
from folio.templates.repository import ExtractionRepository
from folio.templates.service import ResolvedTemplate
from folio.templates.service import template as template_service


class NothingToValidate(Conflict):
    code = "NO_EXTRACTION"
    title = "The document has no extracted values yet"


class ValidationService:
    async def validate(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        document_id: str,
        request: ValidateRequest,
    ) -> ValidationRead:
        document = await document_service.get(session, principal, document_id)
        resolved = None
        if request.template_id is not None:
            resolved = await template_service.resolve(session, principal, request.template_id)
        rules = request.rules or (resolved.template.rules if resolved else [])
        if not rules:
            raise ValidationFailed(
                [FieldError("rules", "missing", "Send rules, or a template_id that has rules.")]
            )
        values, source = await self._values(session, runtime, principal, document, resolved)
        budget = runtime.settings.template_regex_budget_s
        report = await sandboxed(runtime, validate_values, values, rules, budget)
        return ValidationRead(
            document_id=document.id,
            extraction_id=source[0],
            template_name=source[1],
            template_version=source[2],
            passed=report.passed,
            failed=len(report.failures),
            results=report.results,
        )

    async def _values(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        document: Document,
        resolved: ResolvedTemplate | None,
    ) -> tuple[dict[str, Any], tuple[str | None, str, int]]:
        """The latest stored extraction, or the named template applied now if it has none."""
        name = resolved.template.name if resolved else None
        stored = await ExtractionRepository.from_session(session).latest(
            principal, document.id, name
        )
        if stored is not None:
            return stored.values, (stored.id, stored.template_name, stored.template_version)
        if resolved is None:
            raise NothingToValidate(
                f"Document {document.id} has no extraction: apply a template first, "
                "or send template_id."
            )
        result = await document_service.pipeline_result_of(session, document)
        budget = runtime.settings.template_regex_budget_s
        extractions = await sandboxed(
            runtime, apply_template_all, [result], resolved.template, budget
        )
        values = extractions[0].model_dump(mode="json")["fields"]
        plain = {key: field["value"] for key, field in values.items()}
        return plain, (None, resolved.template.name, resolved.template.version)


validation = ValidationService()
