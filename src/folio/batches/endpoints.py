from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Response, UploadFile

from folio.batches.schemas import BatchActionResult, BatchCreated, BatchRead
from folio.batches.service import batch as batch_service
from folio.batches.service import batch_url
from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.files import IncomingFile
from folio.documents.schemas import ProcessingOptions

router = APIRouter(prefix="/api/v1/batches", tags=["batches"])

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


@router.post(
    "",
    status_code=202,
    response_model=BatchCreated,
    summary="Upload many documents as one batch",
    responses=problems(401, 403, 409, 413, 422),
)
async def create_batch(
    files: Annotated[list[UploadFile], File(description="The documents")],
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
    response: Response,
    options: Annotated[str | None, Form(description="JSON options for every file")] = None,
    name: Annotated[str | None, Form(max_length=200)] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> BatchCreated:
    incoming = [IncomingFile(f.filename, f.content_type, f.file) for f in files]
    created = await batch_service.create_once(
        session,
        principal,
        runtime,
        incoming,
        ProcessingOptions.from_form(options),
        name=name,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = batch_url(created.id)
    return created


@router.get(
    "", response_model=Page[BatchRead], summary="List batches", responses=problems(401, 403, 422)
)
async def list_batches(principal: DocumentsRead, session: DbSession, page: PageQuery):
    return await batch_service.list_batches(session, principal, page)


@router.get(
    "/{batch_id}",
    response_model=BatchRead,
    summary="Get a batch: totals, success rate, timings and each document's status",
    responses=problems(401, 403, 404),
)
async def get_batch(batch_id: str, principal: DocumentsRead, session: DbSession):
    return await batch_service.get(session, principal, batch_id)


@router.post(
    "/{batch_id}/retry-failed",
    response_model=BatchActionResult,
    summary="Process the batch's failed and cancelled documents again",
    responses=problems(401, 403, 404, 409),
)
async def retry_failed_documents(
    batch_id: str, principal: DocumentsWrite, session: DbSession, runtime: RuntimeDep
) -> BatchActionResult:
    retried = await batch_service.retry_failed(session, principal, runtime, batch_id)
    return BatchActionResult(batch_id=batch_id, affected=retried)


@router.post(
    "/{batch_id}/cancel",
    response_model=BatchActionResult,
    summary="Cancel the batch's queued and running documents",
    responses=problems(401, 403, 404),
)
async def cancel_batch(
    batch_id: str, principal: DocumentsWrite, session: DbSession, runtime: RuntimeDep
) -> BatchActionResult:
    cancelled = await batch_service.cancel(session, principal, runtime, batch_id)
    return BatchActionResult(batch_id=batch_id, affected=cancelled)
