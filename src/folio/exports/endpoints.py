from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import BoundedDate, BoundedInt
from folio.documents.schemas import DocumentId
from folio.exports.archives import archive as archive_service
from folio.exports.schemas import ExportFilters, ExportFormat, ExportLayout
from folio.exports.service import ExportStream
from folio.exports.service import export as export_service

router = APIRouter(tags=["exports"])

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]


async def export_filters(
    batch_ids: Annotated[
        str | None, Query(max_length=4000, description="Comma-separated batch ids")
    ] = None,
    start_date: Annotated[
        BoundedDate | None, Query(description="Documents created on or after")
    ] = None,
    end_date: Annotated[
        BoundedDate | None, Query(description="Documents created on or before")
    ] = None,
    start_index: Annotated[BoundedInt, Query(ge=0, description="First record (0-based)")] = 0,
    end_index: Annotated[
        BoundedInt | None, Query(ge=1, description="Stop before this record")
    ] = None,
) -> ExportFilters:
    ids = [b.strip() for b in (batch_ids or "").split(",") if b.strip()]
    return ExportFilters(
        batch_ids=list(dict.fromkeys(ids)),
        start_date=start_date,
        end_date=end_date,
        start_index=start_index,
        end_index=end_index,
    )


Filters = Annotated[ExportFilters, Depends(export_filters)]


def download(stream: ExportStream) -> StreamingResponse:
    return file_download(
        stream.chunks,
        media_type=stream.media_type,
        filename=stream.filename,
        headers=stream.headers,
    )


FILE = {"content": {"application/octet-stream": {}}, "description": "The file, streamed"}


@router.get(
    "/api/v1/exports/extractions",
    response_class=StreamingResponse,
    summary="Export extracted fields as Excel, CSV, JSON or NDJSON, filtered and streamed",
    responses={200: FILE, **problems(401, 403, 404, 422)},
)
async def export_extractions(
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    filters: Filters,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.xlsx,
    template: Annotated[
        str, Query(max_length=100, description="Template name (or tpl_ id) whose results")
    ] = "sale_deed",
    layout: Annotated[
        ExportLayout | None,
        Query(description="sale_deeds (one row per buyer/seller) or generic; default by template"),
    ] = None,
) -> StreamingResponse:
    stream = await export_service.extractions(
        session,
        principal,
        runtime,
        filters=filters,
        template=template,
        export_format=export_format,
        layout=layout,
    )
    return download(stream)


@router.get(
    "/api/v1/documents/{document_id}/searchable-pdf",
    response_class=StreamingResponse,
    summary="The original pages with an invisible OCR text layer",
    responses={200: {"content": {"application/pdf": {}}}, **problems(401, 403, 404, 409, 422)},
)
async def get_searchable_pdf(
    document_id: DocumentId,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    version: Annotated[BoundedInt | None, Query(ge=1, description="Default: the latest")] = None,
) -> StreamingResponse:
    stream = await archive_service.searchable_pdf(
        session, principal, runtime, document_id, version=version
    )
    return download(stream)


@router.get(
    "/api/v1/batches/{batch_id}/failed-originals",
    response_class=StreamingResponse,
    summary="ZIP of the batch's failed originals, with failures.csv",
    responses={200: {"content": {"application/zip": {}}}, **problems(401, 403, 404)},
)
async def get_failed_originals(
    batch_id: str, principal: DocumentsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    return download(await archive_service.failed_originals(session, principal, runtime, batch_id))


@router.get(
    "/api/v1/exports/failed-originals",
    response_class=StreamingResponse,
    summary="ZIP of all the team's failed originals, with failures.csv",
    responses={200: {"content": {"application/zip": {}}}, **problems(401, 403, 404)},
)
async def get_team_failed_originals(
    principal: DocumentsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    return download(await archive_service.failed_originals(session, principal, runtime, None))


@router.get(
    "/api/v1/batches/{batch_id}/results-archive",
    response_class=StreamingResponse,
    summary="ZIP of the batch's results: JSON, text and extractions per document",
    responses={200: {"content": {"application/zip": {}}}, **problems(401, 403, 404)},
)
async def get_results_archive(
    batch_id: str,
    principal: DocumentsRead,
    session: DbSession,
    runtime: RuntimeDep,
    words: Annotated[bool, Query(description="Include words with boxes")] = False,
) -> StreamingResponse:
    stream = await archive_service.results_archive(
        session, principal, runtime, batch_id, include_words=words
    )
    return download(stream)
