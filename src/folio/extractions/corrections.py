"""A reviewer corrects one field of a stored extraction: the extraction takes the value (so
validation and exports see it) and a correction row keeps what it replaced."""

from __future__ import annotations

from datetime import date
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
from folio.pipeline.fields.normalize import parse_number
from folio.pipeline.fields.review import CORRECTED
from folio.pipeline.fields.typed import FALSE_WORDS, TRUE_WORDS
from folio.pipeline.fields.types import FieldType
from folio.templates.models import Extraction
from folio.templates.repository import ExtractionRepository


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("value", "invalid", message)])


def _number(value: bool | float | str) -> float:
    if isinstance(value, bool):
        raise _refused("a number is expected")
    number = value if isinstance(value, float) else parse_number(value)
    if number is None:
        raise _refused("a number is expected, such as 1250.40 or 1.250,40")
    return float(number)


def _date(value: bool | float | str) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise _refused("a date is expected as YYYY-MM-DD") from None


def _boolean(value: bool | float | str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise _refused("true or false is expected")


def normalised(field_type: FieldType, value: bool | float | str) -> Any:
    """The value as the extraction stores one of ``field_type``, or a 422 problem."""
    if field_type in (FieldType.number, FieldType.money):
        return _number(value)
    if field_type is FieldType.date:
        return _date(value)
    if field_type is FieldType.boolean:
        return _boolean(value)
    if field_type in (FieldType.list, FieldType.object):
        raise ValidationFailed(
            [FieldError("field", "not_scalar", "list and object fields are not corrected here")]
        )
    return str(value).strip()


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
        value = normalised(FieldType(stored.get("type", "string")), data.value)
        correction = ExtractionCorrection(
            id=new_id(IdPrefix.extraction_correction),
            team_id=extraction.team_id,
            extraction_id=extraction.id,
            document_id=extraction.document_id,
            field=data.field,
            previous_value=stored.get("value"),
            previous_confidence=stored.get("confidence"),
            value=value,
            raw=str(data.value),
            corrected_by=principal.user_id,
        )
        self._apply(extraction, data.field, value, correction.raw)
        await CorrectionRepository.from_session(session).add(correction)
        return correction

    def _apply(self, extraction: Extraction, name: str, value: Any, raw: str) -> None:
        # JSON columns track reassignment, not in-place changes: build new dicts
        field = {
            **extraction.fields[name],
            "value": value,
            "raw": raw,
            "confidence": 1.0,
            "method": CORRECTED,
            "missing_reason": None,
            "needs_review": False,
        }
        extraction.fields = {**extraction.fields, name: field}
        extraction.values = {**extraction.values, name: value}

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
