from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.documents.schemas import BulkResult
from folio.tags.schemas import (
    BulkTagRequest,
    CustomFieldCreate,
    CustomFieldRead,
    CustomFieldUpdate,
    DocumentLabels,
    FieldValueSet,
    TagCreate,
    TagRead,
    TagUpdate,
)
from folio.tags.service import custom_field as custom_field_service
from folio.tags.service import label as label_service
from folio.tags.service import tag as tag_service

router = APIRouter(prefix="/api/v1", tags=["tags"])
TagsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
TagsManage = Annotated[Principal, Depends(require(Permission.tags_manage))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]


@router.post(
    "/tags",
    status_code=201,
    response_model=TagRead,
    summary="Create a tag",
    responses=problems(401, 403, 409, 422),
)
async def create_tag(data: TagCreate, principal: TagsManage, session: DbSession):
    return await tag_service.create(session, principal, data)


@router.get(
    "/tags", response_model=Page[TagRead], summary="List tags", responses=problems(401, 403, 422)
)
async def list_tags(principal: TagsRead, session: DbSession, page: PageQuery):
    return await tag_service.list_tags(session, principal, page)


@router.get(
    "/tags/{tag_id}", response_model=TagRead, summary="Get a tag", responses=problems(401, 403, 404)
)
async def get_tag(tag_id: str, principal: TagsRead, session: DbSession):
    return await tag_service.get(session, principal, tag_id)


@router.patch(
    "/tags/{tag_id}",
    response_model=TagRead,
    summary="Rename or recolour a tag (documents show the new name)",
    responses=problems(401, 403, 404, 409, 422),
)
async def update_tag(tag_id: str, data: TagUpdate, principal: TagsManage, session: DbSession):
    return await tag_service.update(session, principal, tag_id, data)


@router.delete(
    "/tags/{tag_id}",
    status_code=204,
    summary="Delete a tag and take it off every document",
    responses=problems(401, 403, 404),
)
async def delete_tag(tag_id: str, principal: TagsManage, session: DbSession) -> Response:
    await tag_service.delete(session, principal, tag_id)
    return Response(status_code=204)


@router.post(
    "/custom-fields",
    status_code=201,
    response_model=CustomFieldRead,
    summary="Define a typed custom field (text, number, money, date, select, user)",
    responses=problems(401, 403, 409, 422),
)
async def create_custom_field(data: CustomFieldCreate, principal: TagsManage, session: DbSession):
    return await custom_field_service.create(session, principal, data)


@router.get(
    "/custom-fields",
    response_model=Page[CustomFieldRead],
    summary="List custom fields",
    responses=problems(401, 403, 422),
)
async def list_custom_fields(principal: TagsRead, session: DbSession, page: PageQuery):
    return await custom_field_service.list_fields(session, principal, page)


@router.get(
    "/custom-fields/{field_id}",
    response_model=CustomFieldRead,
    summary="Get a custom field",
    responses=problems(401, 403, 404),
)
async def get_custom_field(field_id: str, principal: TagsRead, session: DbSession):
    return await custom_field_service.get(session, principal, field_id)


@router.patch(
    "/custom-fields/{field_id}",
    response_model=CustomFieldRead,
    summary="Change a custom field's label or a select field's options",
    responses=problems(401, 403, 404, 422),
)
async def update_custom_field(
    field_id: str, data: CustomFieldUpdate, principal: TagsManage, session: DbSession
):
    return await custom_field_service.update(session, principal, field_id, data)


@router.delete(
    "/custom-fields/{field_id}",
    status_code=204,
    summary="Delete a custom field and its value on every document",
    responses=problems(401, 403, 404),
)
async def delete_custom_field(field_id: str, principal: TagsManage, session: DbSession) -> Response:
    await custom_field_service.delete(session, principal, field_id)
    return Response(status_code=204)


@router.put(
    "/documents/{document_id}/tags/{tag_id}",
    response_model=DocumentLabels,
    summary="Tag a document",
    responses=problems(401, 403, 404),
)
async def tag_document(
    document_id: str,
    tag_id: str,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await label_service.add_tag(session, principal, runtime, document_id, tag_id)


@router.delete(
    "/documents/{document_id}/tags/{tag_id}",
    response_model=DocumentLabels,
    summary="Take a tag off a document",
    responses=problems(401, 403, 404),
)
async def untag_document(
    document_id: str,
    tag_id: str,
    principal: DocumentsWrite,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await label_service.remove_tag(session, principal, runtime, document_id, tag_id)


@router.put(
    "/documents/{document_id}/fields/{field_id}",
    response_model=DocumentLabels,
    summary="Set a custom-field value on a document (checked against the field's type)",
    responses=problems(401, 403, 404, 422),
)
async def set_document_field(
    document_id: str,
    field_id: str,
    data: FieldValueSet,
    principal: DocumentsWrite,
    session: DbSession,
):
    return await label_service.set_value(session, principal, document_id, field_id, data.value)


@router.delete(
    "/documents/{document_id}/fields/{field_id}",
    response_model=DocumentLabels,
    summary="Clear a custom-field value on a document",
    responses=problems(401, 403, 404),
)
async def clear_document_field(
    document_id: str, field_id: str, principal: DocumentsWrite, session: DbSession
):
    return await label_service.clear_value(session, principal, document_id, field_id)


@router.post(
    "/documents/bulk/tags",
    response_model=BulkResult,
    summary="Add or remove tags on many documents; each id gets its own outcome",
    responses=problems(401, 403, 422),
)
async def bulk_tag_documents(
    data: BulkTagRequest, principal: DocumentsWrite, session: DbSession, runtime: RuntimeDep
) -> BulkResult:
    return await label_service.bulk(session, principal, runtime, data)
