from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.datasets.models import DatasetFormat
from folio.datasets.schemas import DatasetCreate, DatasetRead
from folio.datasets.service import dataset as dataset_service

router = APIRouter(prefix="/api/v1", tags=["image datasets"])
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
DatasetsWrite = Annotated[Principal, Depends(require(Permission.datasets_write))]
MEDIA_TYPES = {
    DatasetFormat.zip: "application/zip",
    DatasetFormat.webdataset: "application/x-tar",
    DatasetFormat.parquet: "application/vnd.apache.parquet",
}
SUFFIXES = {
    DatasetFormat.zip: "zip",
    DatasetFormat.webdataset: "tar",
    DatasetFormat.parquet: "parquet",
}


@router.post(
    "/projects/{project_id}/datasets",
    status_code=202,
    response_model=DatasetRead,
    summary="Export the project's valid, non-duplicate images (ZIP, WebDataset or Parquet)",
    responses=problems(401, 403, 404, 422),
)
async def create_dataset(
    project_id: str,
    data: DatasetCreate,
    principal: DatasetsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> DatasetRead:
    return await dataset_service.create(session, principal, runtime, project_id, data)


@router.get(
    "/projects/{project_id}/datasets",
    response_model=Page[DatasetRead],
    summary="List a project's dataset exports",
    responses=problems(401, 403, 404, 422),
)
async def list_datasets(
    project_id: str, principal: DatasetsRead, session: DbSession, page: PageQuery
) -> Page[DatasetRead]:
    return await dataset_service.list_datasets(session, principal, project_id, page)


@router.get(
    "/datasets/{dataset_id}",
    response_model=DatasetRead,
    summary="A dataset's status; ?wait=SECONDS long-polls until it is ready or failed",
    responses=problems(401, 403, 404),
)
async def get_dataset(
    dataset_id: str,
    principal: DatasetsRead,
    runtime: RuntimeDep,
    wait: Annotated[float, Query(ge=0, description="Seconds to wait for ready")] = 0,
) -> DatasetRead:
    return await dataset_service.get(runtime, principal, dataset_id, wait_s=wait)


@router.get(
    "/datasets/{dataset_id}/download",
    response_class=StreamingResponse,
    summary="Stream the dataset file",
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}},
        **problems(401, 403, 404, 409),
    },
)
async def download_dataset(
    dataset_id: str, principal: DatasetsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    found, chunks = await dataset_service.download(session, principal, runtime, dataset_id)
    return file_download(
        chunks,
        media_type=MEDIA_TYPES[found.format],
        filename=f"{found.id}.{SUFFIXES[found.format]}",
        size=found.bytes,
    )


@router.delete(
    "/datasets/{dataset_id}",
    status_code=204,
    summary="Delete a dataset export",
    responses=problems(401, 403, 404, 409),
)
async def delete_dataset(
    dataset_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> Response:
    await dataset_service.delete(session, principal, runtime, dataset_id)
    return Response(status_code=204)
