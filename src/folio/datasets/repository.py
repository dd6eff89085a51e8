from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.principal import Principal
from folio.datasets.models import Dataset, DatasetStatus


class DatasetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> DatasetRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[tuple[Dataset]]:
        return select(Dataset).where(Dataset.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, dataset_id: str) -> Dataset | None:
        return await self.session.scalar(
            self.readable(principal)
            .where(Dataset.id == dataset_id)
            .execution_options(populate_existing=True)
        )

    async def list_page(
        self, principal: Principal, project_id: str, *, limit: int, after: str | None
    ) -> Sequence[Dataset]:
        statement = (
            self.readable(principal)
            .where(Dataset.project_id == project_id)
            .order_by(Dataset.id)
            .limit(limit + 1)
        )
        if after is not None:
            statement = statement.where(Dataset.id > after)
        return (await self.session.scalars(statement)).all()

    def add(self, dataset: Dataset) -> None:
        self.session.add(dataset)

    async def delete(self, dataset: Dataset) -> None:
        await self.session.delete(dataset)

    async def by_id(self, dataset_id: str) -> Dataset | None:
        return await self.session.get(Dataset, dataset_id, populate_existing=True)

    async def next_pending_id(self) -> str | None:
        return await self.session.scalar(
            select(Dataset.id)
            .where(Dataset.status == DatasetStatus.pending)
            .order_by(Dataset.id)
            .limit(1)
        )

    async def claim(self, dataset_id: str) -> bool:
        result = await self.session.execute(
            update(Dataset)
            .where(Dataset.id == dataset_id, Dataset.status == DatasetStatus.pending)
            .values(status=DatasetStatus.building, updated_at=utcnow())
        )
        return result.rowcount == 1

    async def release_building(self) -> int:
        result = await self.session.execute(
            update(Dataset)
            .where(Dataset.status == DatasetStatus.building)
            .values(status=DatasetStatus.pending)
        )
        return result.rowcount
