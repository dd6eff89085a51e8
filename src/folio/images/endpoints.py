from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.core.schemas import BoundedInt
from folio.images.models import CrawledImage
from folio.images.schemas import ImageRead
from folio.images.service import ImageFile, ImageFilter
from folio.images.service import image as image_service

router = APIRouter(prefix="/api/v1", tags=["image datasets"])
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
DatasetsWrite = Annotated[Principal, Depends(require(Permission.datasets_write))]
IMAGE_CONTENT = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}


async def image_filter(
    project_id: str | None = None,
    is_valid: bool | None = None,
    is_duplicate: bool | None = None,
    label: str | None = None,
    source: Annotated[str | None, Query(description="web, urls, openverse, wikimedia")] = None,
    min_width: Annotated[BoundedInt | None, Query(ge=0)] = None,
    min_height: Annotated[BoundedInt | None, Query(ge=0)] = None,
) -> ImageFilter:
    return ImageFilter(
        project_id=project_id,
        is_valid=is_valid,
        is_duplicate=is_duplicate,
        label=label,
        source=source,
        min_width=min_width,
        min_height=min_height,
    )


Filters = Annotated[ImageFilter, Depends(image_filter)]


def stream(found: ImageFile) -> StreamingResponse:
    return StreamingResponse(
        found.chunks,
        media_type=found.media_type,
        headers={"content-disposition": f'inline; filename="{found.filename}"'},
    )


@router.get(
    "/images",
    response_model=Page[ImageRead],
    summary="List collected images with filters (project, validity, duplicates, label, size)",
    responses=problems(401, 403, 422),
)
async def list_images(principal: DatasetsRead, session: DbSession, page: PageQuery, where: Filters):
    return await image_service.list_images(session, principal, page, where)


@router.get(
    "/jobs/{job_id}/images",
    response_model=Page[ImageRead],
    summary="List the images of one crawl job",
    responses=problems(401, 403, 404, 422),
)
async def list_job_images(
    job_id: str, principal: DatasetsRead, session: DbSession, page: PageQuery, where: Filters
):
    return await image_service.list_job_images(session, principal, job_id, page, where)


@router.get(
    "/images/{image_id}",
    response_model=ImageRead,
    summary="An image: source and page URL, licence, hashes, size, rejection reason",
    responses=problems(401, 403, 404),
)
async def get_image(image_id: str, principal: DatasetsRead, session: DbSession) -> CrawledImage:
    return await image_service.get(session, principal, image_id)


@router.delete(
    "/images/{image_id}",
    status_code=204,
    summary="Delete an image and its file",
    responses=problems(401, 403, 404),
)
async def delete_image(
    image_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> Response:
    await image_service.delete(session, principal, runtime, image_id)
    return Response(status_code=204)


@router.get(
    "/images/{image_id}/download",
    response_class=StreamingResponse,
    summary="The cleaned image (orientation applied, metadata stripped)",
    responses={**IMAGE_CONTENT, **problems(401, 403, 404)},
)
async def download_image(
    image_id: str, principal: DatasetsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    return stream(await image_service.file(session, principal, runtime, image_id))


@router.get(
    "/images/{image_id}/thumbnail",
    response_class=StreamingResponse,
    summary="A JPEG thumbnail, at most 256 pixels on its long side",
    responses={**IMAGE_CONTENT, **problems(401, 403, 404)},
)
async def get_thumbnail(
    image_id: str, principal: DatasetsRead, session: DbSession, runtime: RuntimeDep
) -> StreamingResponse:
    found = await image_service.file(session, principal, runtime, image_id, thumbnail=True)
    return stream(found)
