"""A reviewer corrects one field of a stored extraction (a scalar, a list or an object): the
value is checked against the field's definition in the template that made the extraction, the
extraction takes it (so validation and exports see it) and a correction row keeps what it
replaced."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.documents.service import document as document_service
from folio.extractions.models import ExtractionCorrection
from folio.extractions.repository import CorrectionRepository
from folio.extractions.schemas import CorrectionCreate, CorrectionRead
from folio.extractions.values import checked
from folio.pipeline.fields.review import CORRECTED
from folio.pipeline.fields.types import FieldSpec, FieldType
from folio.templates.models import Extraction
from folio.templates.repository import ExtractionRepository
from folio.templates.service import template as template_service

RAW_KEPT = 2000  # characters of the reviewer's text kept on the correction row


def _part(name: str, field_type: FieldType, value: Any) -> dict[str, Any]:
    filled = value not in (None, [], {})
    return {
        "name": name,
        "type": str(field_type),
        "value": value,
        "confidence": 1.0 if filled else 0.0,
        "method": CORRECTED,
    }


def _members(specs: list[FieldSpec], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {"fields": None}
    return {"fields": {spec.name: structured(spec, value.get(spec.name)) for spec in specs}}


def _element(spec: FieldSpec, value: Any) -> dict[str, Any]:
    if spec.fields:
        return {**_part(spec.name, FieldType.object, value), **_members(spec.fields, value)}
    return _part(spec.name, spec.item_type or FieldType.string, value)


def structured(spec: FieldSpec, value: Any) -> dict[str, Any]:
    """A corrected value with the per-element values the extractor keeps beside a list's
    (``items``) or an object's (``fields``), so no element shows a value it no longer has."""
    part = _part(spec.name, spec.type, value)
    if spec.type is FieldType.list:
        part["items"] = [_element(spec, item) for item in value or []]
    elif spec.type is FieldType.object:
        part.update(_members(spec.fields, value))
    return part


def raw_text(value: Any) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class TemplateGone(ValidationFailed):
    def __init__(self, name: str) -> None:
        message = (
            "the template that made this extraction no longer exists, so the shape of a "
            "list or object field is unknown: apply a template again"
        )
        super().__init__([FieldError("field", "template_gone", message)], f"{name}: {message}")


class CorrectionService:
    async def correct(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        extraction_id: str,
        data: CorrectionCreate,
    ) -> ExtractionCorrection:
        extraction = await self._extraction(session, principal, document_id, extraction_id)
        stored = extraction.fields.get(data.field)
        if stored is None:
            known = ", ".join(sorted(extraction.fields)) or "none"
            raise ValidationFailed(
                [FieldError("field", "unknown", f"the extraction has no such field ({known})")]
            )
        spec = await self._spec(session, principal, extraction, data.field, stored)
        value = checked(spec, data.value)
        raw = raw_text(data.value)
        correction = ExtractionCorrection(
            id=new_id(IdPrefix.extraction_correction),
            team_id=extraction.team_id,
            extraction_id=extraction.id,
            document_id=extraction.document_id,
            field=data.field,
            previous_value=stored.get("value"),
            previous_confidence=stored.get("confidence"),
            value=value,
            raw=raw[:RAW_KEPT],
            corrected_by=principal.user_id,
        )
        self._apply(extraction, spec, value, raw)
        await CorrectionRepository.from_session(session).add(correction)
        return correction

    async def _spec(
        self,
        session: AsyncSession,
        principal: Principal,
        extraction: Extraction,
        name: str,
        stored: dict[str, Any],
    ) -> FieldSpec:
        """The field as the extraction's template version defines it. A scalar of a deleted
        template is still checked against the type stored with its value."""
        reference = extraction.template_id or extraction.template_name
        try:
            versions = await template_service.versions(session, principal, reference)
        except NotFound:
            versions = []
        # a built-in has only its current version, which may be newer than the extraction's
        chosen = next((v for v in versions if v.version == extraction.template_version), None)
        fields = (chosen or versions[0]).fields if versions else []
        spec = next((field for field in fields if field.name == name), None)
        if spec is not None:
            return spec
        field_type = FieldType(stored.get("type", "string"))
        if field_type in (FieldType.list, FieldType.object):
            raise TemplateGone(name)
        return FieldSpec(name=name, type=field_type)

    def _apply(self, extraction: Extraction, spec: FieldSpec, value: Any, raw: str) -> None:
        # JSON columns track reassignment, not in-place changes: build new dicts
        field = {
            **extraction.fields[spec.name],
            **structured(spec, value),
            "raw": raw,
            "confidence": 1.0,
            "missing_reason": None,
            "needs_review": False,
        }
        extraction.fields = {**extraction.fields, spec.name: field}
        extraction.values = {**extraction.values, spec.name: value}

    async def corrections(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        extraction_id: str,
        page: PageParams,
    ) -> Page[CorrectionRead]:
        await self._extraction(session, principal, document_id, extraction_id)
        rows = await CorrectionRepository.from_session(session).list_for_extraction(
            principal, extraction_id, limit=page.limit, before=page.after
        )
        listed: Page[ExtractionCorrection] = Page.from_rows(
            rows, page.limit, cursor=lambda row: row.id
        )
        return Page[CorrectionRead](
            items=[CorrectionRead.model_validate(row) for row in listed.items],
            next_cursor=listed.next_cursor,
            has_more=listed.has_more,
        )

    async def _extraction(
        self, session: AsyncSession, principal: Principal, document_id: str, extraction_id: str
    ) -> Extraction:
        await document_service.get(session, principal, document_id)
        extraction = await ExtractionRepository.from_session(session).get(principal, extraction_id)
        if extraction is None or extraction.document_id != document_id:
            raise NotFound(f"No extraction {extraction_id} of document {document_id}.")
        return extraction


correction = CorrectionService()
