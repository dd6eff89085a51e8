"""Images a crawl collected: list with filters, inspect, delete, download, thumbnail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit
from folio.core.errors import NotFound
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.images.dedup import drop_from_index
from folio.images.models import CrawledImage
from folio.images.repository import ImageRepository

MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class ImageFilter:
    project_id: str | None = None
    job_id: str | None = None
    is_valid: bool | None = None
    is_duplicate: bool | None = None
    label: str | None = None
    source: str | None = None
    min_width: int | None = None
    min_height: int | None = None


@dataclass(frozen=True)
class ImageFile:
    chunks: Iterator[bytes]
    media_type: str
    filename: str


class ImageService:
    async def list_images(
        self, session: AsyncSession, principal: Principal, page: PageParams, where: ImageFilter
    ) -> Page[CrawledImage]:
        rows = await ImageRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after, **where.__dict__
        )
        return Page.from_rows(rows, page.limit, cursor=lambda image: image.id)

    async def get(self, session: AsyncSession, principal: Principal, image_id: str) -> CrawledImage:
        image = await ImageRepository.from_session(session).get(principal, image_id)
        if image is None:
            raise NotFound(f"No image {image_id}.")
        return image

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, image_id: str
    ) -> None:
        image = await self.get(session, principal, image_id)
        keys = [k for k in (image.blob_key, image.thumbnail_key) if k]
        await ImageRepository.from_session(session).delete(image)

        async def cleanup() -> None:
            drop_from_index(runtime, image.project_id, {image.id})
            for key in keys:
                runtime.storage.delete(key)

        after_commit(session, cleanup)

    async def file(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        image_id: str,
        *,
        thumbnail: bool = False,
    ) -> ImageFile:
        image = await self.get(session, principal, image_id)
        key = image.thumbnail_key if thumbnail else image.blob_key
        if key is None or image.format is None:
            raise NotFound(f"Image {image_id} was rejected ({image.rejection_reason}): no file.")
        media_type = "image/jpeg" if thumbnail else MEDIA_TYPES[image.format]
        suffix = "jpg" if thumbnail or image.format == "jpeg" else image.format
        name = f"{image.id}{'.thumb' if thumbnail else ''}.{suffix}"
        return ImageFile(runtime.storage.iter_chunks(key), media_type, name)

    async def unique_count_per_project(
        self, session: AsyncSession, project_ids: Sequence[str]
    ) -> dict[str, int]:
        return await ImageRepository.from_session(session).unique_count_per_project(project_ids)


image = ImageService()
