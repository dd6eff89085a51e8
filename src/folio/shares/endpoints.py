from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.shares.schemas import ShareCreate, ShareCreated, ShareRead
from folio.shares.service import share as share_service

router = APIRouter(prefix="/api/v1/documents", tags=["shares"])
public_router = APIRouter(prefix="/api/v1/shared", tags=["shares"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]
ShareToken = Annotated[str, Path(min_length=20, max_length=200)]


@router.post(
    "/{document_id}/shares",
    status_code=201,
    response_model=ShareCreated,
    summary="Share a document: an expiring link, or with a member of the team",
    responses=problems(401, 403, 404, 422),
)
async def create_share(
    document_id: str,
    data: ShareCreate,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await share_service.create(session, principal, runtime, document_id, data)


@router.get(
    "/{document_id}/shares",
    response_model=Page[ShareRead],
    summary="A document's shares, with their status and downloads",
    responses=problems(401, 403, 404, 422),
)
async def list_shares(
    document_id: str, principal: DocumentsRead, session: DbSession, page: PageQuery
):
    return await share_service.list_shares(session, principal, document_id, page)


@router.delete(
    "/{document_id}/shares/{share_id}",
    status_code=204,
    summary="Revoke a share: the link stops working, the member's access ends",
    responses=problems(401, 403, 404),
)
async def revoke_share(
    document_id: str, share_id: str, principal: DocumentsWrite, session: DbSession
) -> Response:
    await share_service.revoke(session, principal, document_id, share_id)
    return Response(status_code=204)


@public_router.get(
    "/{token}",
    response_class=StreamingResponse,
    summary="Download a shared document (no sign-in: the link's token is the credential)",
    responses={
        200: {"content": {"application/octet-stream": {}}},
        **problems(404, 409, 422, 429),
    },
)
async def download_shared(token: ShareToken, session: DbSession, runtime: RuntimeDep):
    document, chunks = await share_service.open_shared(session, runtime, token)
    return file_download(
        chunks,
        media_type=document.mime_type,
        filename=document.filename,
        size=document.size_bytes,
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )
