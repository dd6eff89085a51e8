"""The image-list filters as a query-string dependency, shared by the image routes and the
crawl-job image route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from folio.core.schemas import BoundedInt
from folio.images.service import ImageFilter


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
