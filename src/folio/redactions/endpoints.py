from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.schemas import DocumentId
from folio.redactions.models import Redaction
from folio.redactions.schemas import AnonymizedText, AnonymizeMode, RedactionCreate, RedactionRead
from folio.redactions.service import redaction as redaction_service

router = APIRouter(tags=["redactions"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


@router.post(
    "/api/v1/documents/{document_id}/redactions",
    status_code=201,
    response_model=RedactionRead,
    summary="Write a redacted PDF: entity types and/or boxes painted over, text under them gone",
    description="Pages with something to redact are re-rendered as images with the boxes "
    "burnt in, so no text layer, font or hidden object survives there; other pages are kept. "
    "Document metadata is removed. A value whose position is unknown blacks out its page.",
    responses=problems(401, 403, 404, 409, 422),
)
async def create_redaction(
    document_id: DocumentId,
    data: RedactionCreate,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> Redaction:
    return await redaction_service.create(session, principal, runtime, document_id, data)


@router.get(
    "/api/v1/documents/{document_id}/redactions",
    response_model=Page[RedactionRead],
    summary="List a document's redacted copies, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_redactions(
    document_id: DocumentId, principal: DocumentsRead, session: DbSession, page: PageQuery
) -> Page[RedactionRead]:
    return await redaction_service.list_for_document(session, principal, document_id, page)


@router.get(
    "/api/v1/documents/{document_id}/anonymized-text",
    response_model=AnonymizedText,
    summary="The extracted text with personal data masked, hashed or replaced by its type",
    description="`mask` keeps the shape (`j***@*****.***`), `hash` gives a stable token per "
    "value (`<email:1f2e…>`, linkable across documents), `replace` gives the type "
    "(`<EMAIL>`). Without `types`, every PII type is anonymised.",
    responses=problems(401, 403, 404, 409, 422),
)
async def get_anonymized_text(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    mode: AnonymizeMode = "replace",
    types: Annotated[list[str] | None, Query(max_length=30)] = None,
) -> AnonymizedText:
    return await redaction_service.anonymized_text(
        session, principal, document_id, mode=mode, entity_types=types
    )


@router.get(
    "/api/v1/redactions/{redaction_id}",
    response_model=RedactionRead,
    summary="Get a redacted copy's description",
    responses=problems(401, 403, 404),
)
async def get_redaction(
    redaction_id: str, principal: DocumentsRead, session: DbSession
) -> Redaction:
    return await redaction_service.get(session, principal, redaction_id)


@router.get(
    "/api/v1/redactions/{redaction_id}/file",
    response_class=StreamingResponse,
    summary="Download the redacted PDF",
    responses={200: {"content": {"application/pdf": {}}}, **problems(401, 403, 404)},
)
async def get_redaction_file(
    redaction_id: str, principal: DocumentsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    redaction, chunks = await redaction_service.open_file(session, principal, runtime, redaction_id)
    return file_download(
        chunks,
        media_type="application/pdf",
        filename=f"{redaction.id}.pdf",
        size=redaction.size_bytes,
    )
