from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.datasets.models import Dataset, DatasetStatus


class DatasetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> DatasetRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[Dataset]:
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

    async def locked(self, dataset_id: str) -> Dataset | None:
        """The row, locked to the transaction's end (PostgreSQL; SQLite write transactions
        are exclusive anyway)."""
        return await self.session.get(
            Dataset, dataset_id, populate_existing=True, with_for_update=True
        )

    async def next_claimable_id(self, now: datetime) -> str | None:
        return await self.session.scalar(
            select(Dataset.id).where(claimable(now)).order_by(Dataset.id).limit(1)
        )

    async def claim(
        self, dataset_id: str, owner: str, now: datetime, until: datetime
    ) -> int | None:
        """Compare-and-set: a pending dataset, or one whose build lease lapsed (its process
        died), is ``owner``'s to build until ``until``. Returns the build's attempt number
        (None: another process holds it). One winner among processes."""
        return await self.session.scalar(
            update(Dataset)
            .where(Dataset.id == dataset_id, claimable(now))
            .values(
                status=DatasetStatus.building,
                attempts=Dataset.attempts + 1,
                lease_owner=owner,
                lease_expires_at=until,
                error_message=None,
                updated_at=now,
            )
            .returning(Dataset.attempts)
            .execution_options(synchronize_session=False)
        )

    async def renew(self, dataset_id: str, owner: str, until: datetime) -> bool:
        """Extends ``owner``'s lease; False when the build is no longer its own."""
        result = await self.session.execute(
            update(Dataset)
            .where(Dataset.id == dataset_id, building_by(owner))
            .values(lease_expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    async def release(self, owners: Collection[str]) -> int:
        """Builds of these (stopped or dead) holders go back to pending."""
        if not owners:
            return 0
        result = await self.session.execute(
            update(Dataset)
            .where(Dataset.status == DatasetStatus.building, Dataset.lease_owner.in_(owners))
            .values(status=DatasetStatus.pending, lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result)

    async def building_owners(self, prefix: str) -> set[str]:
        statement = select(Dataset.lease_owner).where(
            Dataset.status == DatasetStatus.building, Dataset.lease_owner.startswith(prefix)
        )
        return {o for o in (await self.session.scalars(statement.distinct())).all() if o}


def building_by(owner: str) -> ColumnElement[bool]:
    return and_(Dataset.status == DatasetStatus.building, Dataset.lease_owner == owner)


def claimable(now: datetime) -> ColumnElement[bool]:
    lapsed = and_(
        Dataset.status == DatasetStatus.building,
        or_(Dataset.lease_expires_at.is_(None), Dataset.lease_expires_at < now),
    )
    return or_(Dataset.status == DatasetStatus.pending, lapsed)
