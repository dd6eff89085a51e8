from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.crawls.models import CrawlChunk, CrawlJob, CrawlStatus
from folio.crawls.schemas import ChunkRead, CrawlJobCreate, CrawlJobRead, CrawlProgress
from folio.crawls.service import crawl as crawl_service
from folio.images.deps import Filters
from folio.images.schemas import ImageRead

SUCCESSOR = "/api/v1/crawl-jobs"
LEGACY = "/api/v1/jobs"  # collides with document-processing jobs; served until the next release
routes = APIRouter()
DatasetsRead = Annotated[Principal, Depends(require(Permission.datasets_read))]
DatasetsWrite = Annotated[Principal, Depends(require(Permission.datasets_write))]


@routes.post(
    "",
    status_code=201,
    response_model=CrawlJobRead,
    summary="Create a crawl job (seeds, URL list or keywords); start it with start=true",
    responses=problems(401, 403, 404, 422),
)
async def create_crawl_job(
    data: CrawlJobCreate, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> CrawlJob:
    return await crawl_service.create(session, principal, runtime, data)


@routes.get(
    "",
    response_model=Page[CrawlJobRead],
    summary="List crawl jobs",
    responses=problems(401, 403, 422),
)
async def list_crawl_jobs(
    principal: DatasetsRead,
    session: DbSession,
    page: PageQuery,
    project_id: str | None = None,
    status: CrawlStatus | None = None,
):
    return await crawl_service.list_jobs(
        session, principal, page, project_id=project_id, status=status
    )


@routes.get(
    "/{job_id}",
    response_model=CrawlJobRead,
    summary="Get a crawl job",
    responses=problems(401, 403, 404),
)
async def get_crawl_job(job_id: str, principal: DatasetsRead, session: DbSession) -> CrawlJob:
    return await crawl_service.get(session, principal, job_id)


@routes.get(
    "/{job_id}/progress",
    response_model=CrawlProgress,
    summary="Chunks and images so far, and an estimated completion",
    responses=problems(401, 403, 404),
)
async def get_crawl_progress(
    job_id: str, principal: DatasetsRead, session: DbSession
) -> CrawlProgress:
    return await crawl_service.progress(session, principal, job_id)


@routes.get(
    "/{job_id}/chunks",
    response_model=list[ChunkRead],
    summary="The job's chunks with their state and errors",
    responses=problems(401, 403, 404),
)
async def list_crawl_chunks(
    job_id: str, principal: DatasetsRead, session: DbSession
) -> Sequence[CrawlChunk]:
    return await crawl_service.chunks(session, principal, job_id)


@routes.post(
    "/{job_id}/start",
    response_model=CrawlJobRead,
    summary="Start, resume (after a stop or when credits ran out)",
    responses=problems(401, 403, 404, 409),
)
async def start_crawl_job(
    job_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> CrawlJob:
    return await crawl_service.start(session, principal, runtime, job_id)


@routes.post(
    "/{job_id}/stop",
    response_model=CrawlJobRead,
    summary="Stop: running chunks finish their batch and wait",
    responses=problems(401, 403, 404, 409),
)
async def stop_crawl_job(
    job_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> CrawlJob:
    return await crawl_service.stop(session, principal, runtime, job_id)


@routes.post(
    "/{job_id}/retry",
    response_model=CrawlJobRead,
    summary="Run the failed chunks again",
    responses=problems(401, 403, 404, 409),
)
async def retry_crawl_job(
    job_id: str, principal: DatasetsWrite, session: DbSession, runtime: RuntimeDep
) -> CrawlJob:
    return await crawl_service.retry(session, principal, runtime, job_id)


@routes.get(
    "/{job_id}/images",
    response_model=Page[ImageRead],
    summary="List the images of one crawl job",
    responses=problems(401, 403, 404, 422),
)
async def list_crawl_job_images(
    job_id: str, principal: DatasetsRead, session: DbSession, page: PageQuery, where: Filters
):
    return await crawl_service.list_images(session, principal, job_id, page, where)


def announce_successor(request: Request, response: Response) -> None:
    """RFC 9745 ``Deprecation`` and RFC 8594 ``successor-version`` link on the old path."""
    # the decoded path may hold any character; a header value must stay Latin-1
    successor = quote(SUCCESSOR + request.url.path.removeprefix(LEGACY), safe="/")
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'


router = APIRouter(tags=["image datasets"])
router.include_router(routes, prefix=SUCCESSOR)
router.include_router(
    routes, prefix=LEGACY, deprecated=True, dependencies=[Depends(announce_successor)]
)
