from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from folio.projects.service import project as project_service

router = APIRouter(prefix="/api/v1/projects", tags=["image datasets"])
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
DatasetsWrite = Annotated[Principal, Depends(require(Permission.datasets_write))]


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    summary="Create an image dataset project",
    responses=problems(401, 403, 422),
)
async def create_project(
    data: ProjectCreate, principal: DatasetsWrite, session: DbSession
) -> ProjectRead:
    return await project_service.create(session, principal, data)


@router.get(
    "",
    response_model=Page[ProjectRead],
    summary="List projects with their job, image and dataset counts",
    responses=problems(401, 403, 422),
)
async def list_projects(
    principal: DatasetsRead, session: DbSession, page: PageQuery
) -> Page[ProjectRead]:
    return await project_service.list_projects(session, principal, page)


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Get a project",
    responses=problems(401, 403, 404),
)
async def get_project(project_id: str, principal: DatasetsRead, session: DbSession) -> ProjectRead:
    return await project_service.read(session, principal, project_id)


@router.patch(
    "/{project_id}",
    response_model=ProjectRead,
    summary="Rename a project or change its description",
    responses=problems(401, 403, 404, 422),
)
async def update_project(
    project_id: str, data: ProjectUpdate, principal: DatasetsWrite, session: DbSession
) -> ProjectRead:
    return await project_service.update(session, principal, project_id, data)


@router.delete(
    "/{project_id}",
    status_code=204,
    summary="Delete a project with its jobs, images and datasets",
    responses=problems(401, 403, 404),
)
async def delete_project(
    project_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> Response:
    await project_service.delete(session, principal, runtime, project_id)
    return Response(status_code=204)
