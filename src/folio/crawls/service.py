"""Crawl jobs: their chunks, start/stop/retry and progress. Execution: ``chunks.py``,
run by ``supervisor.py``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.crawls.models import ChunkStatus, CrawlChunk, CrawlJob, CrawlStatus
from folio.crawls.repository import CrawlRepository
from folio.crawls.schemas import CrawlJobCreate, CrawlProgress, Engine
from folio.events.service import event as event_service
from folio.images.models import CrawledImage
from folio.images.service import ImageFilter
from folio.images.service import image as image_service
from folio.projects.service import project as project_service
from folio.webcrawl.web import parse_url_list

URLS_PER_CHUNK = 100
SUPERVISOR = "crawls.supervisor"
STARTABLE = {CrawlStatus.pending, CrawlStatus.paused, CrawlStatus.stopped}


def default_engines(data: CrawlJobCreate) -> list[Engine]:
    engines = []
    if data.seeds:
        engines.append(Engine.web)
    if data.url_list:
        engines.append(Engine.urls)
    if data.keywords and not engines:
        engines += [Engine.openverse, Engine.wikimedia]
    return engines


def chunk_specs(data: CrawlJobCreate, engines: list[Engine]) -> list[tuple[Engine, dict]]:
    """Seeds, URL-list slices and keyword x engine x result page become the job's chunks."""
    errors: list[FieldError] = []
    specs: list[tuple[Engine, dict[str, Any]]] = []
    for engine in engines:
        if engine is Engine.web:
            if not data.seeds:
                errors.append(FieldError("seeds", "required", "the web engine needs seeds"))
            extra = {"robots_sitemaps": True} if data.use_robots_sitemaps else {}
            specs += [(engine, {"seed": str(seed), **extra}) for seed in data.seeds]
        elif engine is Engine.urls:
            entries = _url_entries(data, errors)
            for start in range(0, len(entries), URLS_PER_CHUNK):
                specs.append((engine, {"urls": entries[start : start + URLS_PER_CHUNK]}))
        else:
            if not data.keywords:
                errors.append(FieldError("keywords", "required", f"{engine} needs keywords"))
            for keyword in data.keywords:
                for page in range(1, data.pages_per_keyword + 1):
                    specs.append((engine, {"keyword": keyword, "page": page}))
    if not engines:
        errors.append(FieldError("engines", "required", "give seeds, a url_list or keywords"))
    if errors:
        raise ValidationFailed(errors)
    return specs


def _url_entries(data: CrawlJobCreate, errors: list[FieldError]) -> list[dict]:
    if not data.url_list:
        errors.append(FieldError("url_list", "required", "the urls engine needs a url_list"))
        return []
    try:
        refs = parse_url_list(data.url_list, data.url_list_format.value)
    except (ValueError, TypeError) as exc:
        errors.append(FieldError("url_list", "invalid", f"cannot read the list: {exc}"[:200]))
        return []
    if not refs:
        errors.append(FieldError("url_list", "empty", "no http(s) URL in the list"))
    return [{"url": r.url, "label": r.label, "caption": r.alt} for r in refs]


def filters_of(data: CrawlJobCreate) -> dict[str, Any]:
    return data.quality_filters.model_dump(mode="json")


class CrawlService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: CrawlJobCreate
    ) -> CrawlJob:
        project = await project_service.get_project(session, principal, data.project_id)
        engines = data.engines or default_engines(data)
        specs = chunk_specs(data, engines)
        job = CrawlJob(
            id=new_id(IdPrefix.crawl_job),
            team_id=project.team_id,
            project_id=project.id,
            name=data.name,
            engines=[e.value for e in engines],
            keywords=data.keywords,
            seeds=[str(s) for s in data.seeds],
            allowed_domains=[d.lower().strip() for d in data.allowed_domains],
            max_depth=data.max_depth,
            max_images=data.max_images,
            pages_per_keyword=data.pages_per_keyword,
            filters=filters_of(data),
            labels=data.labels,
            status=CrawlStatus.pending,
            created_by=principal.user_id,
        )
        repository = CrawlRepository.from_session(session)
        repository.add(job)
        await session.flush()
        for engine, spec in specs:
            repository.add(
                CrawlChunk(
                    id=new_id(IdPrefix.crawl_chunk),
                    team_id=job.team_id,
                    job_id=job.id,
                    engine=engine.value,
                    spec=spec,
                )
            )
        if data.start:
            await self._start(session, runtime, job)
        await session.flush()
        return job

    async def get(self, session: AsyncSession, principal: Principal, job_id: str) -> CrawlJob:
        job = await CrawlRepository.from_session(session).get(principal, job_id)
        if job is None:
            raise NotFound(f"No crawl job {job_id}.")
        return job

    async def list_jobs(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        project_id: str | None,
        status: CrawlStatus | None,
    ) -> Page[CrawlJob]:
        rows = await CrawlRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after, project_id=project_id, status=status
        )
        return Page.from_rows(rows, page.limit, cursor=lambda job: job.id)

    async def start(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, job_id: str
    ) -> CrawlJob:
        job = await self.get(session, principal, job_id)
        if job.status not in STARTABLE:
            raise Conflict(f"A {job.status} job cannot be started; retry failed chunks instead.")
        await self._start(session, runtime, job)
        return job

    async def _start(self, session: AsyncSession, runtime: Runtime, job: CrawlJob) -> None:
        job.status = CrawlStatus.running
        job.error_code = job.error_message = None
        job.finished_at = None
        job.started_at = job.started_at or utcnow()
        await self.announce(session, runtime, job, "job.started")
        self._wake_after_commit(session, runtime)

    async def stop(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, job_id: str
    ) -> CrawlJob:
        """Running chunks notice between two batches and go back to pending."""
        job = await self.get(session, principal, job_id)
        if job.status not in (CrawlStatus.pending, CrawlStatus.running, CrawlStatus.paused):
            raise Conflict(f"The job is already {job.status}.")
        job.status = CrawlStatus.stopped
        job.finished_at = utcnow()
        return job

    async def retry(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, job_id: str
    ) -> CrawlJob:
        job = await self.get(session, principal, job_id)
        repository = CrawlRepository.from_session(session)
        if job.status is CrawlStatus.running:
            raise Conflict("The job is running; retry once it has finished.")
        if await repository.set_chunks(job.id, ChunkStatus.failed, ChunkStatus.pending) == 0:
            raise Conflict("The job has no failed chunks.")
        job.errors = []  # every failed chunk runs again; those that fail again come back
        await self._start(session, runtime, job)
        return job

    async def list_images(
        self,
        session: AsyncSession,
        principal: Principal,
        job_id: str,
        page: PageParams,
        where: ImageFilter,
    ) -> Page[CrawledImage]:
        job = await self.get(session, principal, job_id)
        scoped = ImageFilter(**{**where.__dict__, "job_id": job.id})
        return await image_service.list_images(session, principal, page, scoped)

    async def chunks(
        self, session: AsyncSession, principal: Principal, job_id: str
    ) -> Sequence[CrawlChunk]:
        job = await self.get(session, principal, job_id)
        return await CrawlRepository.from_session(session).chunks(job.id)

    async def progress(
        self, session: AsyncSession, principal: Principal, job_id: str
    ) -> CrawlProgress:
        job = await self.get(session, principal, job_id)
        counts = await CrawlRepository.from_session(session).chunk_counts(job.id)
        total = sum(counts.values())
        finished = counts[ChunkStatus.completed] + counts[ChunkStatus.failed]
        accepted = job.images_valid - job.images_duplicate
        fraction = max(finished / total if total else 1.0, accepted / job.max_images)
        if job.status is CrawlStatus.completed:
            fraction = 1.0
        return CrawlProgress(
            job_id=job.id,
            status=job.status,
            progress=int(min(fraction, 1.0) * 100),
            total_chunks=total,
            active_chunks=counts[ChunkStatus.running],
            pending_chunks=counts[ChunkStatus.pending],
            completed_chunks=counts[ChunkStatus.completed],
            failed_chunks=counts[ChunkStatus.failed],
            images_downloaded=job.images_downloaded,
            images_validated=job.images_valid,
            images_failed=job.images_failed,
            images_duplicate=job.images_duplicate,
            images_accepted=accepted,
            credits_used=job.credits_used,
            error_code=job.error_code,
            estimated_completion=self._estimate(job, min(fraction, 1.0)),
        )

    def _estimate(self, job: CrawlJob, fraction: float) -> datetime | None:
        if job.status is not CrawlStatus.running or job.started_at is None or fraction <= 0:
            return job.finished_at
        elapsed = utcnow() - job.started_at
        return utcnow() + timedelta(seconds=elapsed.total_seconds() * (1 - fraction) / fraction)

    async def announce(
        self, session: AsyncSession, runtime: Runtime, job: CrawlJob, kind: str
    ) -> None:
        data = {
            "job_id": job.id,
            "project_id": job.project_id,
            "kind": "crawl",
            "status": job.status.value,
            "images_downloaded": job.images_downloaded,
            "images_validated": job.images_valid,
            "images_accepted": job.images_valid - job.images_duplicate,
        }
        await event_service.emit(session, runtime, Event(type=kind, team_id=job.team_id, data=data))

    async def count_per_project(
        self, session: AsyncSession, project_ids: Sequence[str]
    ) -> dict[str, int]:
        return await CrawlRepository.from_session(session).count_per_project(project_ids)

    def _wake_after_commit(self, session: AsyncSession, runtime: Runtime) -> None:
        supervisor = runtime.state.get(SUPERVISOR)
        if supervisor is None:
            return

        async def wake() -> None:
            supervisor.wake()

        after_commit(session, wake)


crawl = CrawlService()
