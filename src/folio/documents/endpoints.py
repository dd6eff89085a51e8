from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import PlainTextResponse, StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import AwareDatetime, BoundedInt
from folio.documents.bulk import bulk as bulk_service
from folio.documents.files import IncomingFile
from folio.documents.models import DocumentStatus
from folio.documents.repository import DocumentFilters
from folio.documents.schemas import (
    BulkDeleteRequest,
    BulkProcessRequest,
    BulkResult,
    DocumentChunks,
    DocumentId,
    DocumentMarkdown,
    DocumentRead,
    DocumentResults,
    DocumentVersions,
    MarkdownFormat,
    ProcessingOptions,
    ReprocessRequest,
    document_url,
)
from folio.documents.service import document as document_service
from folio.documents.structure import structure as structure_service
from folio.documents.versions import version as version_service
from folio.documents.zero_retention import zero_retention as zero_retention_service
from folio.pipeline.ingest import KIND_BY_MIME
from folio.pipeline.structure.chunks import MIN_TOKENS

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
# an original is served as the type sniffed at upload, which is always one Folio accepts
ORIGINAL_MEDIA_TYPES = {
    mime: {"schema": {"type": "string", "format": "binary"}} for mime in sorted(KIND_BY_MIME)
}

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]
DocumentsDelete = Annotated[Principal, Depends(require(Permission.documents_delete))]
MAX_CHUNK_TOKENS = 8192
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
OptionsField = Annotated[
    str | None, Form(description="JSON: ocr, ocr_engine, language, password, priority")
]


async def list_filters(
    request: Request,
    status: DocumentStatus | None = None,
    batch_id: Annotated[str | None, Query(max_length=40)] = None,
    document_type: Annotated[
        str | None,
        Query(
            alias="type",
            max_length=50,
            description="File kind (pdf, image, docx …) or classified document type",
        ),
    ] = None,
    created_after: AwareDatetime | None = None,
    created_before: AwareDatetime | None = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search")] = None,
    tag: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Tag name; repeat for documents carrying every one. "
            "`field.<name>=value` (any custom field's name) filters by a custom-field value.",
        ),
    ] = None,
    pii: Annotated[
        bool | None, Query(description="Only documents where personal data was (not) found")
    ] = None,
    sort: Annotated[
        Literal["newest", "oldest"], Query(description="By upload time; the cursor follows")
    ] = "newest",
) -> DocumentFilters:
    return DocumentFilters(
        tags=tuple(tag or ()),
        fields=field_filters(request),
        status=status,
        batch_id=batch_id,
        type=document_type,
        created_after=created_after,
        created_before=created_before,
        query=q,
        pii=pii,
        oldest_first=sort == "oldest",
    )


Filters = Annotated[DocumentFilters, Depends(list_filters)]
FIELD_PREFIX = "field."


def field_filters(request: Request) -> tuple[tuple[str, str], ...]:
    """``field.<name>=value`` query parameters: their names are the team's own fields."""
    return tuple(
        (name.removeprefix(FIELD_PREFIX), value[:1000])
        for name, value in request.query_params.multi_items()
        if name.startswith(FIELD_PREFIX)
    )[:20]


@router.post(
    "",
    status_code=202,
    response_model=DocumentRead,
    summary="Upload a document for processing",
    responses=problems(401, 403, 409, 413, 415, 422, 429),
)
async def upload_document(
    file: Annotated[UploadFile, File(description="The document")],
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
    response: Response,
    options: OptionsField = None,
    idempotency_key: IdempotencyKey = None,
):
    incoming = IncomingFile(file.filename, file.content_type, file.file)
    document, replayed = await document_service.upload_once(
        session,
        principal,
        runtime,
        incoming,
        ProcessingOptions.from_form(options),
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = document_url(document.id)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return document


@router.post(
    "/process",
    response_model=DocumentResults,
    response_model_exclude_none=False,
    summary="Process a document at once and return its results; nothing is stored",
    description="Zero-retention processing: the results are in the response and neither the "
    "file nor the results are kept (no document, blob or job); the team's monthly document "
    "count and the request's audit entry are the only traces. Smaller size, page and time "
    "limits apply than to uploads (`FOLIO_PROCESS_MAX_BYTES`, `FOLIO_PROCESS_MAX_PAGES`, "
    "`FOLIO_PROCESS_TIME_LIMIT_S`).",
    responses=problems(401, 403, 413, 415, 422, 429, 503),
)
async def process_document(
    file: Annotated[UploadFile, File(description="The document")],
    principal: DocumentsWrite,
    runtime: RuntimeDep,
    response: Response,
    options: OptionsField = None,
    words: Annotated[bool, Query(description="Include words with boxes")] = True,
) -> DocumentResults:
    incoming = IncomingFile(file.filename, file.content_type, file.file)
    response.headers["Cache-Control"] = "no-store"
    return await zero_retention_service.process(
        runtime, principal, incoming, ProcessingOptions.from_form(options), include_words=words
    )


@router.get(
    "",
    response_model=Page[DocumentRead],
    summary="List documents",
    responses=problems(401, 403, 422),
)
async def list_documents(
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    page: PageQuery,
    filters: Filters,
) -> Response:
    body = await document_service.list_documents_json(session, principal, runtime, filters, page)
    return Response(body, media_type="application/json")


@router.post(
    "/bulk/process",
    response_model=BulkResult,
    summary="Process, reprocess or cancel many documents; each id gets its own outcome",
    responses=problems(401, 403, 422),
)
async def bulk_process_documents(
    data: BulkProcessRequest, principal: DocumentsWrite, session: DbSession, runtime: RuntimeDep
) -> BulkResult:
    return await bulk_service.process(session, principal, runtime, data)


@router.delete(
    "/bulk",
    response_model=BulkResult,
    summary="Delete many documents with their files and results",
    responses=problems(401, 403, 422),
)
async def bulk_delete_documents(
    data: BulkDeleteRequest, principal: DocumentsDelete, session: DbSession, runtime: RuntimeDep
) -> BulkResult:
    return await bulk_service.delete(session, principal, runtime, data.document_ids)


@router.get(
    "/{document_id}",
    response_model=DocumentRead,
    summary="Get a document's status, stages and progress",
    responses=problems(401, 403, 404, 422),
)
async def get_document(
    document_id: DocumentId,
    principal: DocumentsRead,
    runtime: RuntimeDep,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=300,
            description="Long-poll: wait up to this many seconds for processing to finish",
        ),
    ] = 0,
) -> Response:
    body = await document_service.settled_json(runtime, principal, document_id, wait)
    return Response(body, media_type="application/json")


@router.get(
    "/{document_id}/results",
    response_model=DocumentResults,
    response_model_exclude_none=False,
    summary="Get the extraction results",
    description="Sends an `ETag`; a request with `If-None-Match` naming it gets 304.",
    responses={**problems(401, 403, 404, 409, 422), 304: {"description": "Not modified"}},
)
async def get_document_results(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    words: Annotated[bool, Query(description="Include words with boxes")] = True,
    version: Annotated[
        BoundedInt | None,
        Query(ge=1, description="An older version's results (default: the latest)"),
    ] = None,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    key, body = await document_service.results_body(
        session, principal, runtime, document_id, include_words=words, version=version
    )
    headers = {"ETag": key.etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and _entity_tags(if_none_match) & {key.etag, "*"}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _entity_tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


@router.post(
    "/{document_id}/reprocess",
    status_code=202,
    response_model=DocumentRead,
    summary="Process again with new options or engine; success makes a new version",
    responses=problems(401, 403, 404, 409, 422),
)
async def reprocess_document(
    document_id: DocumentId,
    data: ReprocessRequest,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await version_service.reprocess(session, principal, runtime, document_id, data)


@router.get(
    "/{document_id}/versions",
    response_model=DocumentVersions,
    summary="The document's result versions, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_document_versions(
    document_id: DocumentId, principal: DocumentsRead, session: DbSession
) -> DocumentVersions:
    return await version_service.list_versions(session, principal, document_id)


@router.get(
    "/{document_id}/text",
    response_class=PlainTextResponse,
    summary="Get the plain text (pages separated by form feeds)",
    responses={200: {"content": {"text/plain": {}}}, **problems(401, 403, 404, 409, 422)},
)
async def get_document_text(
    document_id: DocumentId, principal: DocumentsRead, session: DbSession
) -> PlainTextResponse:
    text = await document_service.get_text(session, principal, document_id)
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")


@router.get(
    "/{document_id}/markdown",
    summary="Get the text as Markdown, without page headers and footers",
    description="Headings, paragraphs, lists and tables in reading order (columns one after "
    "the other). `format=json` returns the Markdown with the left-out page furniture "
    "(running headers, footers, page numbers) and their boxes.",
    responses={
        200: {
            "model": DocumentMarkdown,
            "content": {"text/markdown": {"schema": {"type": "string"}}},
            "description": "Markdown, or with `format=json` the Markdown and the furniture",
        },
        **problems(401, 403, 404, 409, 422),
    },
)
async def get_document_markdown(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    output_format: Annotated[MarkdownFormat, Query(alias="format")] = "markdown",
) -> Response:
    body = await structure_service.markdown(session, principal, runtime, document_id)
    if output_format == "json":
        return Response(body.model_dump_json(), media_type="application/json")
    return Response(body.markdown, media_type="text/markdown; charset=utf-8")


@router.get(
    "/{document_id}/chunks",
    response_model=DocumentChunks,
    summary="Split the text into chunks for retrieval",
    description="Chunks follow the structure: a heading starts one, paragraphs and tables stay "
    "whole while they fit. Each has its heading path, pages and the boxes of its text.",
    responses=problems(401, 403, 404, 409, 422),
)
async def get_document_chunks(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    max_tokens: Annotated[
        int, Query(ge=MIN_TOKENS, le=MAX_CHUNK_TOKENS, description="Tokens per chunk at most")
    ] = 512,
    overlap: Annotated[
        int,
        Query(ge=0, le=MAX_CHUNK_TOKENS, description="Tokens a cut paragraph repeats (< half)"),
    ] = 0,
) -> DocumentChunks:
    return await structure_service.chunks(
        session, principal, runtime, document_id, max_tokens=max_tokens, overlap=overlap
    )


@router.get(
    "/{document_id}/file",
    response_class=StreamingResponse,
    summary="Download the original file",
    responses={200: {"content": ORIGINAL_MEDIA_TYPES}, **problems(401, 403, 404, 409)},
)
async def get_document_file(
    document_id: DocumentId, principal: DocumentsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    document, chunks = await document_service.open_original(
        session, principal, runtime, document_id
    )
    return file_download(
        chunks, media_type=document.mime_type, filename=document.filename, size=document.size_bytes
    )


@router.delete(
    "/{document_id}",
    status_code=204,
    summary="Delete a document, its file and results (409 while under legal hold)",
    responses=problems(401, 403, 404, 409),
)
async def delete_document(
    document_id: DocumentId, principal: DocumentsDelete, session: DbSession, runtime: RuntimeDep
) -> Response:
    await document_service.delete(session, principal, runtime, document_id)
    return Response(status_code=204)
