from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import StreamingResponse

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.downloads import file_download
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.images.deps import Filters
from folio.images.models import CrawledImage
from folio.images.schemas import ImageRead
from folio.images.service import ImageFile
from folio.images.service import image as image_service

router = APIRouter(prefix="/api/v1", tags=["image datasets"])
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
DatasetsWrite = Annotated[Principal, Depends(require(Permission.datasets_write))]
IMAGE_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}
}


def stream(found: ImageFile) -> StreamingResponse:
    return file_download(found.chunks, media_type=found.media_type, filename=found.filename)


@router.get(
    "/images",
    response_model=Page[ImageRead],
    summary="List collected images with filters (project, validity, duplicates, label, size)",
    responses=problems(401, 403, 422),
)
async def list_images(principal: DatasetsRead, session: DbSession, page: PageQuery, where: Filters):
    return await image_service.list_images(session, principal, page, where)


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
