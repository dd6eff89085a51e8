"""Repository bases: the session on the instance (STYLE.md §2), and for a team-owned table
the team filter (§4) and keyset pages (§7), each written once. Source: Polar
``server/polar/kit/repository/base.py``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar, TypeVarTuple

from sqlalchemy import Select, column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal

M = TypeVar("M")
R = TypeVar("R")
Ts = TypeVarTuple("Ts")  # a page may be of another table (a child of a row loaded scoped)


def team_scoped(model: Any, team_ids: Collection[str], *, column: str = "team_id") -> Select[Any]:
    """``model``'s rows owned by ``team_ids``, less the soft-deleted ones where the table
    has a ``deleted_at``: the one tenancy WHERE clause."""
    statement = select(model).where(getattr(model, column).in_(team_ids))
    deleted_at = getattr(model, "deleted_at", None)
    if deleted_at is not None:
        statement = statement.where(deleted_at.is_(None))
    return statement


_TEAMS = table("teams", column("id"))


async def rows_of_existing_teams(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``rows`` less those of teams deleted since they were counted in memory: one of them
    would fail a whole batched insert (foreign key), and its buffer would retry it forever."""
    teams = {row["team_id"] for row in rows}
    existing = set((await session.scalars(select(_TEAMS.c.id).where(_TEAMS.c.id.in_(teams)))).all())
    return [row for row in rows if row["team_id"] in existing]


def keyset(
    statement: Select[*Ts],
    column: Any,
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool,
) -> Select[*Ts]:
    """The page after ``cursor`` (the previous page's last ``column`` value) in ``column``
    order, one row longer than ``limit``: the extra row tells there is more, with no COUNT."""
    if cursor is not None:
        statement = statement.where(column < cursor if newest_first else column > cursor)
    return statement.order_by(column.desc() if newest_first else column).limit(limit + 1)


class Repository(Generic[M]):
    """Builds and runs statements on one table (``model``); never commits."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> Self:
        return cls(session)

    async def get_one_or_none(self, statement: Select[M]) -> M | None:
        return await self.session.scalar(statement)

    async def get_all(self, statement: Select[R]) -> Sequence[R]:
        return (await self.session.scalars(statement)).all()

    async def create(self, row: M, *, flush: bool = False) -> M:
        """Added to the unit of work; ``flush`` when the caller needs the insert run now."""
        self.session.add(row)
        if flush:
            await self.session.flush()
        return row

    async def page_after(
        self, statement: Select[R], *, limit: int, after: str | None, column: Any = None
    ) -> Sequence[R]:
        """Oldest first: up to ``limit + 1`` rows after the previous page's last ``after``."""
        column = self.model.id if column is None else column  # type: ignore[attr-defined]
        return await self.get_all(
            keyset(statement, column, limit=limit, cursor=after, newest_first=False)
        )

    async def page_before(
        self, statement: Select[R], *, limit: int, before: str | None, column: Any = None
    ) -> Sequence[R]:
        """Newest first: up to ``limit + 1`` rows before the previous page's last ``before``."""
        column = self.model.id if column is None else column  # type: ignore[attr-defined]
        return await self.get_all(
            keyset(statement, column, limit=limit, cursor=before, newest_first=True)
        )


class TeamScopedRepository(Repository[M]):
    """The repository of a team-owned table: a principal's every read starts from
    ``readable``; a subclass may narrow or widen it (and ``get`` follows)."""

    team_column: ClassVar[str] = "team_id"  # the column naming the owning team

    def scoped_to(self, team_ids: Collection[str]) -> Select[M]:
        return team_scoped(self.model, team_ids, column=self.team_column)

    def readable(self, principal: Principal) -> Select[M]:
        return self.scoped_to(principal.team_ids)

    def owned_by(self, team_id: str) -> Select[M]:
        """One team's rows, for work done for the system (a job, a worker) with no principal."""
        return self.scoped_to((team_id,))

    async def get(self, principal: Principal, row_id: str) -> M | None:
        """None for another team's id, as for one that does not exist (it answers 404)."""
        identity = self.model.id  # type: ignore[attr-defined]
        return await self.get_one_or_none(self.readable(principal).where(identity == row_id))
