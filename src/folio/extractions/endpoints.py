"""Applying templates to documents, their stored extractions, and rule validation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.schemas import DocumentId
from folio.extractions.corrections import correction as correction_service
from folio.extractions.models import ExtractionCorrection
from folio.extractions.schemas import (
    ApplyRequest,
    ApplyResult,
    CorrectionCreate,
    CorrectionRead,
    ExtractionRead,
    ValidateRequest,
    ValidationRead,
)
from folio.extractions.service import extraction as extraction_service
from folio.extractions.validation import validation as validation_service

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])
document_router = APIRouter(prefix="/api/v1/documents", tags=["templates"])

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]
ExtractionId = Annotated[str, Path(max_length=40, description="ext_…")]
TemplateId = Annotated[
    str, Path(max_length=100, description="tpl_…, or a built-in's name (invoice, receipt …)")
]


@router.post(
    "/{template_id}/apply",
    response_model=ApplyResult,
    summary="Apply a template to processed documents or a batch; results are stored",
    responses=problems(401, 403, 404, 422, 503),
)
async def apply_template(
    template_id: TemplateId, data: ApplyRequest, principal: DocumentsWrite, runtime: RuntimeDep
) -> ApplyResult:
    return await extraction_service.apply(runtime, principal, template_id, data)


@document_router.get(
    "/{document_id}/extractions",
    response_model=Page[ExtractionRead],
    summary="Stored extractions of a document, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_document_extractions(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    page: PageQuery,
    template: Annotated[
        str | None, Query(max_length=100, description="Only this template's (by name)")
    ] = None,
):
    return await extraction_service.extractions(
        session,
        principal,
        document_id,
        page,
        template=template,
        review_below=runtime.settings.extraction_review_below,
    )


@document_router.post(
    "/{document_id}/validate",
    response_model=ValidationRead,
    summary="Check rules (or a template's rules) against the document's extracted values",
    responses=problems(401, 403, 404, 409, 422, 503),
)
async def validate_document(
    document_id: DocumentId,
    data: ValidateRequest,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
) -> ValidationRead:
    return await validation_service.validate(session, runtime, principal, document_id, data)


@document_router.post(
    "/{document_id}/extractions/{extraction_id}/corrections",
    status_code=201,
    response_model=CorrectionRead,
    summary="Correct one field of a stored extraction; the value it replaced is kept",
    description="The extraction takes the value with confidence 1 and method `corrected`, so "
    "validation and exports use it; the corrections list keeps every earlier value. "
    "A list field takes an array and an object field an object, checked element by element "
    "against the field's definition in the template. An unknown field, or a value that does "
    "not fit (each misfit named by its path, such as `value[2].amount`), is a 422 problem "
    "and changes nothing.",
    responses=problems(401, 403, 404, 422),
)
async def correct_extraction_field(
    document_id: DocumentId,
    extraction_id: ExtractionId,
    data: CorrectionCreate,
    principal: DocumentsWrite,
    session: DbSession,
) -> ExtractionCorrection:
    return await correction_service.correct(session, principal, document_id, extraction_id, data)


@document_router.get(
    "/{document_id}/extractions/{extraction_id}/corrections",
    response_model=Page[CorrectionRead],
    summary="Corrections made to a stored extraction, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_extraction_corrections(
    document_id: DocumentId,
    extraction_id: ExtractionId,
    principal: DocumentsRead,
    session: DbSession,
    page: PageQuery,
) -> Page[CorrectionRead]:
    return await correction_service.corrections(
        session, principal, document_id, extraction_id, page
    )
