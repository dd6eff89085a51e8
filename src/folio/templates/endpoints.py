from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from folio.core.deps import DbSession, PageQuery, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.templates.schemas import (
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    TemplateVersionRead,
)
from folio.templates.service import template as template_service

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]
TemplateId = Annotated[
    str, Path(max_length=100, description="tpl_…, or a built-in's name (invoice, receipt …)")
]


@router.post(
    "",
    status_code=201,
    response_model=TemplateRead,
    summary="Create a team template (version 1)",
    responses=problems(401, 403, 409, 422),
)
async def create_template(
    data: TemplateCreate, principal: DocumentsWrite, session: DbSession
) -> TemplateRead:
    return await template_service.create(session, principal, data)


@router.get(
    "",
    response_model=Page[TemplateRead],
    summary="List templates: the built-ins (read-only) first, then the team's",
    responses=problems(401, 403, 422),
)
async def list_templates(principal: DocumentsRead, session: DbSession, page: PageQuery):
    return await template_service.list_templates(session, principal, page)


@router.get(
    "/{template_id}",
    response_model=TemplateRead,
    summary="Get a template (latest version)",
    responses=problems(401, 403, 404),
)
async def get_template(
    template_id: TemplateId, principal: DocumentsRead, session: DbSession
) -> TemplateRead:
    return await template_service.get(session, principal, template_id)


@router.patch(
    "/{template_id}",
    response_model=TemplateRead,
    summary="Change a team template; every change makes a new version",
    responses=problems(401, 403, 404, 409, 422),
)
async def update_template(
    template_id: TemplateId, data: TemplateUpdate, principal: DocumentsWrite, session: DbSession
) -> TemplateRead:
    return await template_service.update(session, principal, template_id, data)


@router.delete(
    "/{template_id}",
    status_code=204,
    summary="Delete a team template (stored extractions stay)",
    responses=problems(401, 403, 404, 409),
)
async def delete_template(
    template_id: TemplateId, principal: DocumentsWrite, session: DbSession
) -> Response:
    await template_service.delete(session, principal, template_id)
    return Response(status_code=204)


@router.get(
    "/{template_id}/versions",
    response_model=list[TemplateVersionRead],
    summary="Every version of a template, newest first",
    responses=problems(401, 403, 404),
)
async def list_template_versions(
    template_id: TemplateId, principal: DocumentsRead, session: DbSession
) -> list[TemplateVersionRead]:
    return await template_service.versions(session, principal, template_id)
