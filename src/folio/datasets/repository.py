from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from folio.core.leases import LeaseQueue
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.datasets.models import Dataset, DatasetStatus


class DatasetRepository(TeamScopedRepository[Dataset]):
    model = Dataset

    async def get(self, principal: Principal, dataset_id: str) -> Dataset | None:
        """Refreshed: a build running elsewhere changes the row."""
        return await self.get_one_or_none(
            self.readable(principal)
            .where(Dataset.id == dataset_id)
            .execution_options(populate_existing=True)
        )

    async def list_page(
        self, principal: Principal, project_id: str, *, limit: int, after: str | None
    ) -> Sequence[Dataset]:
        statement = self.readable(principal).where(Dataset.project_id == project_id)
        return await self.page_after(statement, limit=limit, after=after)

    async def count_per_project(self, project_ids: Sequence[str]) -> dict[str, int]:
        statement = (
            select(Dataset.project_id, func.count())
            .where(Dataset.project_id.in_(project_ids))
            .group_by(Dataset.project_id)
        )
        return {project_id: n for project_id, n in await self.session.execute(statement)}

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

    async def claim(
        self, owner: str, now: datetime, lease: timedelta, *, dataset_id: str | None = None
    ) -> str | None:
        """The oldest pending dataset (or ``dataset_id``), or one whose build lease lapsed
        (its process died), becomes ``owner``'s to build for ``lease``; its ``attempts``
        count this build. One winner among processes."""
        ids = None if dataset_id is None else [dataset_id]
        claimed = await BUILDS.claim(self.session, owner, now=now, lease=lease, ids=ids)
        return claimed[0] if claimed else None

    async def renew(self, dataset_id: str, owner: str, until: datetime) -> bool:
        """Extends ``owner``'s lease; False when the build is no longer its own."""
        return bool(await BUILDS.renew(self.session, [dataset_id], owner, until))

    async def release(self, owners: Collection[str]) -> int:
        """Builds of these (stopped or dead) holders go back to pending."""
        return await BUILDS.release(self.session, owners)

    async def release_gone(self, live: set[str], *, any_pid: bool) -> int:
        return await BUILDS.release_gone(self.session, live, any_pid=any_pid)


BUILDS = LeaseQueue(
    Dataset,
    owner=Dataset.lease_owner,
    expires=Dataset.lease_expires_at,
    held=Dataset.status == DatasetStatus.building,
    free=Dataset.status == DatasetStatus.pending,
    on_claim=lambda now: {
        "status": DatasetStatus.building,
        "attempts": Dataset.attempts + 1,
        "error_message": None,
        "updated_at": now,
    },
    on_release={"status": DatasetStatus.pending},
)
