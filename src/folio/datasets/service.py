"""Dataset exports of a project: created pending, built in the background, downloaded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit
from folio.core.errors import Conflict, NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.crawls.service import SUPERVISOR
from folio.datasets.models import Dataset, DatasetStatus
from folio.datasets.repository import DatasetRepository
from folio.datasets.schemas import DatasetCreate, DatasetRead
from folio.projects.service import project as project_service

WAIT_STEP_S = 0.25
FINAL = {DatasetStatus.ready, DatasetStatus.failed}


def read(dataset: Dataset) -> DatasetRead:
    view = DatasetRead.model_validate(dataset)
    if dataset.status is DatasetStatus.ready:
        view.download_url = f"/api/v1/datasets/{dataset.id}/download"
    return view


class DatasetService:
    async def create(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        project_id: str,
        data: DatasetCreate,
    ) -> DatasetRead:
        project = await project_service.get_project(session, principal, project_id)
        dataset = Dataset(
            id=new_id(IdPrefix.dataset),
            team_id=project.team_id,
            project_id=project.id,
            format=data.format,
            split=data.split.model_dump(),
            seed=data.seed,
            options={
                "labels": data.labels,
                "include_images": data.include_images,
                "shard_size": data.shard_size,
            },
            created_by=principal.user_id,
        )
        DatasetRepository.from_session(session).add(dataset)
        await session.flush()
        supervisor = runtime.state.get(SUPERVISOR)
        if supervisor is not None:

            async def wake() -> None:
                supervisor.wake()

            after_commit(session, wake)
        return read(dataset)

    async def get(
        self, runtime: Runtime, principal: Principal, dataset_id: str, *, wait_s: float = 0
    ) -> DatasetRead:
        """Long poll: a fresh read per look, so the builder's commit becomes visible."""
        deadline = time.monotonic() + min(wait_s, runtime.settings.long_poll_max_s)
        while True:
            async with runtime.db.session(write=False) as session:
                dataset = await self._get(session, principal, dataset_id)
            if dataset.status in FINAL or time.monotonic() >= deadline:
                return read(dataset)
            await asyncio.sleep(WAIT_STEP_S)

    async def _get(self, session: AsyncSession, principal: Principal, dataset_id: str) -> Dataset:
        dataset = await DatasetRepository.from_session(session).get(principal, dataset_id)
        if dataset is None:
            raise NotFound(f"No dataset {dataset_id}.")
        return dataset

    async def list_datasets(
        self, session: AsyncSession, principal: Principal, project_id: str, page: PageParams
    ) -> Page[DatasetRead]:
        project = await project_service.get_project(session, principal, project_id)
        rows = await DatasetRepository.from_session(session).list_page(
            principal, project.id, limit=page.limit, after=page.after
        )
        return Page.from_rows([read(r) for r in rows], page.limit, cursor=lambda d: d.id)

    async def download(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, dataset_id: str
    ) -> tuple[Dataset, Iterator[bytes]]:
        dataset = await self._get(session, principal, dataset_id)
        if dataset.status is not DatasetStatus.ready or dataset.blob_key is None:
            raise Conflict(f"The dataset is {dataset.status}, not ready.")
        return dataset, runtime.storage.iter_chunks(dataset.blob_key)

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, dataset_id: str
    ) -> None:
        dataset = await self._get(session, principal, dataset_id)
        if dataset.status is DatasetStatus.building:
            raise Conflict("The dataset is being built; delete it when it is ready.")
        key = dataset.blob_key
        await DatasetRepository.from_session(session).delete(dataset)
        if key is not None:

            async def remove() -> None:
                runtime.storage.delete(key)

            after_commit(session, remove)

    async def count_per_project(
        self, session: AsyncSession, project_ids: Sequence[str]
    ) -> dict[str, int]:
        return await DatasetRepository.from_session(session).count_per_project(project_ids)


dataset = DatasetService()
