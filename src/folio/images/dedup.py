"""A project's de-duplication index, kept in this process and caught up from the database:
the crawl runner checks new images against it, and deleting images takes them out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.runtime import Runtime
from folio.images.repository import ImageRepository
from folio.projects.models import Project
from folio.webcrawl.dedup import Deduplicator, Match
from folio.webcrawl.images import CleanImage

DEDUP_CACHE = "crawls.dedup"
DEDUP_LOCK = "crawls.dedup_lock"


@dataclass
class ProjectIndex:
    """A project's de-duplication index in this process and the project's ``dedup_seq`` it
    has caught up with. The database is the truth: each recording transaction locks the
    project row, adds the unique images other processes committed since (``dedup_seq``
    above ``seq``), and checks a match still exists before calling an image its duplicate."""

    dedup: Deduplicator
    seq: int

    def add_rows(self, rows: Sequence[tuple[str, str, str]]) -> None:
        for image_id, sha256, phash in rows:
            if image_id not in self.dedup:
                self.dedup.add(image_id, sha256, int(phash, 16))


async def project_index(runtime: Runtime, project_id: str) -> ProjectIndex:
    """The project's index, loaded once per process from the database (every unique image
    of the project) and kept current. The lock keeps two chunks from loading two copies."""
    cache: dict[str, ProjectIndex] = runtime.state.setdefault(DEDUP_CACHE, {})
    lock: asyncio.Lock = runtime.state.setdefault(DEDUP_LOCK, asyncio.Lock())
    async with lock:
        found = cache.get(project_id)
        if found is None:
            async with runtime.db.session(write=False) as session:
                project = await session.get(Project, project_id)
                seq = project.dedup_seq if project is not None else 0  # read before the rows
                rows = await ImageRepository.from_session(session).unique_hashes(project_id)
            found = ProjectIndex(Deduplicator(runtime.settings.crawler_phash_threshold), seq)
            found.add_rows(rows)
            cache[project_id] = found
    return found


def drop_from_index(runtime: Runtime, project_id: str, image_ids: set[str]) -> None:
    """Deleted images stop counting as originals (at once in this process; other processes
    find them gone when they next match them)."""
    found = runtime.state.get(DEDUP_CACHE, {}).get(project_id)
    if found is not None:
        found.dedup.remove(image_ids)


async def catch_up(session: AsyncSession, index: ProjectIndex, project: Project) -> None:
    """Adds what other processes committed since this index last saw the project."""
    if project.dedup_seq > index.seq:
        images = ImageRepository.from_session(session)
        index.add_rows(await images.originals_since(project.id, index.seq))
        index.seq = project.dedup_seq


async def find_duplicate(
    session: AsyncSession, dedup: Deduplicator, image: CleanImage, fresh: set[str]
) -> tuple[str, Match] | None:
    """The image's original, checked against the database unless it is in this batch
    (``fresh``): one deleted elsewhere, or never committed, leaves the index and the
    search goes on."""
    images = ImageRepository.from_session(session)
    while (found := dedup.check(image.sha256, image.phash)) is not None:
        original = found[1].image_id
        if original in fresh or await images.exists(original):
            return found
        dedup.remove({original})
    return None
