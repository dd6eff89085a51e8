"""The repository bases (core/repository.py): every repository of a team-owned table derives
from ``TeamScopedRepository``, found by walking the real ORM metadata and repository modules;
and the base's team filter, ``get`` and keyset pages on a real SQLite file."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import folio
import folio.models
from folio.core.db import Database, UTCDateTime, utcnow
from folio.core.pagination import Page, decode_cursor
from folio.core.principal import Principal
from folio.core.repository import Repository, TeamScopedRepository

# ---- every repository of a team-owned table derives from TeamScopedRepository -------------

BASES = Repository.__module__


def mapped_classes() -> dict[str, type[Any]]:
    return {mapper.class_.__name__: mapper.class_ for mapper in folio.models.Base.registry.mappers}


def repository_classes() -> list[type[Any]]:
    found = []
    for module_info in pkgutil.walk_packages(folio.__path__, "folio."):
        if module_info.name.rsplit(".", 1)[-1] != "repository" or module_info.name == BASES:
            continue
        module = importlib.import_module(module_info.name)
        found += [
            cls
            for name, cls in vars(module).items()
            if inspect.isclass(cls) and cls.__module__ == module.__name__
            if name.endswith("Repository") or issubclass(cls, Repository)
        ]
    return found


def tables_named(cls: type[Any], models: dict[str, type[Any]]) -> set[type[Any]]:
    """The ORM classes the repository's own code names: the tables it queries."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return {models[name] for name in names if name in models}


def is_team_owned(model: type[Any]) -> bool:
    return "team_id" in model.__table__.c


def test_every_repository_of_a_team_owned_table_is_team_scoped() -> None:
    models = mapped_classes()
    repositories = repository_classes()
    checked = [
        (repository, model)
        for repository in repositories
        for model in tables_named(repository, models)
        if is_team_owned(model)
    ]

    assert len(repositories) >= 20, "walked too few repository modules"
    assert len({model for _, model in checked}) >= 20, "found too few team-owned tables"
    offenders = sorted(
        f"{repository.__module__}.{repository.__name__} queries {model.__tablename__}"
        for repository, model in checked
        if not issubclass(repository, TeamScopedRepository)
    )
    assert offenders == []


def test_every_team_owned_table_is_queried_through_a_repository() -> None:
    models = mapped_classes()
    named = {model for cls in repository_classes() for model in tables_named(cls, models)}
    team_owned = {model for model in models.values() if is_team_owned(model)}

    assert team_owned, "no table with a team_id: the metadata walk found nothing"
    assert sorted(model.__tablename__ for model in team_owned - named) == []


def test_each_scoped_repository_names_its_table_and_team_column() -> None:
    scoped = [cls for cls in repository_classes() if issubclass(cls, TeamScopedRepository)]

    assert scoped
    for repository in scoped:
        table = repository.model.__table__
        assert repository.team_column in table.c, repository.__name__
        assert "id" in table.c, repository.__name__


# ---- the base on a real SQLite file ------------------------------------------------------


class NotesBase(DeclarativeBase):
    """Its own metadata: the application's tables never include it."""


class Note(NotesBase):
    __tablename__ = "repository_test_notes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="plain")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class NoteRepository(TeamScopedRepository[Note]):
    model = Note


class PinnedNoteRepository(NoteRepository):
    def readable(self, principal: Principal) -> Select[tuple[Note]]:
        return super().readable(principal).where(Note.kind == "pinned")


TEAM_A = Principal(team_id="team_a", team_ids=frozenset({"team_a"}))
TEAM_B = Principal(team_id="team_b", team_ids=frozenset({"team_b"}))
BOTH = Principal(team_id="team_a", team_ids=frozenset({"team_a", "team_b"}))


def note_id(number: int) -> str:
    return f"not_{number:026d}"


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    async with database.engine.begin() as connection:
        await connection.run_sync(NotesBase.metadata.create_all)
    async with database.session() as session:
        session.add_all(Note(id=note_id(n), team_id="team_a") for n in range(7))
        session.add_all(Note(id=note_id(n), team_id="team_b") for n in range(10, 13))
        session.add(Note(id=note_id(20), team_id="team_a", deleted_at=utcnow()))
        session.add(Note(id=note_id(21), team_id="team_a", kind="pinned"))
        await session.flush()
        yield session
    await database.dispose()


async def ids(repository: NoteRepository, statement: Select[tuple[Note]]) -> list[str]:
    return [note.id for note in await repository.get_all(statement.order_by(Note.id))]


class TestReadable:
    async def test_excludes_another_team_and_soft_deleted_rows(self, session: AsyncSession) -> None:
        repository = NoteRepository.from_session(session)

        found = await ids(repository, repository.readable(TEAM_A))

        assert found == [note_id(n) for n in [*range(7), 21]]

    async def test_covers_every_team_of_the_principal(self, session: AsyncSession) -> None:
        repository = NoteRepository.from_session(session)

        found = await ids(repository, repository.readable(BOTH))

        assert found == [note_id(n) for n in [*range(7), *range(10, 13), 21]]

    async def test_owned_by_is_one_team(self, session: AsyncSession) -> None:
        repository = NoteRepository.from_session(session)

        assert await ids(repository, repository.owned_by("team_b")) == [
            note_id(n) for n in range(10, 13)
        ]


class TestGet:
    async def test_own_row(self, session: AsyncSession) -> None:
        note = await NoteRepository.from_session(session).get(TEAM_A, note_id(3))

        assert note is not None and note.team_id == "team_a"

    async def test_another_teams_id_is_none(self, session: AsyncSession) -> None:
        assert await NoteRepository.from_session(session).get(TEAM_A, note_id(10)) is None

    async def test_soft_deleted_is_none(self, session: AsyncSession) -> None:
        assert await NoteRepository.from_session(session).get(TEAM_A, note_id(20)) is None

    async def test_follows_a_subclass_readable(self, session: AsyncSession) -> None:
        repository = PinnedNoteRepository.from_session(session)

        assert await repository.get(TEAM_A, note_id(3)) is None
        assert await repository.get(TEAM_A, note_id(21)) is not None


Fetch = Callable[[str | None], Any]


async def walk(fetch: Fetch, limit: int) -> tuple[list[str], list[bool]]:
    """Every page from the first, following each ``next_cursor`` as a client would."""
    seen: list[str] = []
    more: list[bool] = []
    cursor: str | None = None
    while True:
        rows: Sequence[Note] = await fetch(cursor)
        page = Page[Any].from_rows(rows, limit, cursor=lambda note: note.id)
        assert len(rows) <= limit + 1
        seen += [note.id for note in page.items]
        more.append(page.has_more)
        if page.next_cursor is None:
            return seen, more
        cursor = decode_cursor(page.next_cursor)


class TestKeysetPages:
    @pytest.mark.parametrize(("limit", "pages"), [(3, 3), (4, 2), (8, 1), (100, 1)])
    async def test_oldest_first(self, session: AsyncSession, limit: int, pages: int) -> None:
        repository = NoteRepository.from_session(session)

        def fetch(after: str | None) -> Any:
            return repository.page_after(repository.readable(TEAM_A), limit=limit, after=after)

        seen, more = await walk(fetch, limit)

        assert seen == [note_id(n) for n in [*range(7), 21]]
        assert more == [True] * (pages - 1) + [False]

    @pytest.mark.parametrize(("limit", "pages"), [(3, 3), (4, 2), (8, 1)])
    async def test_newest_first(self, session: AsyncSession, limit: int, pages: int) -> None:
        repository = NoteRepository.from_session(session)

        def fetch(before: str | None) -> Any:
            return repository.page_before(repository.readable(TEAM_A), limit=limit, before=before)

        seen, more = await walk(fetch, limit)

        assert seen == [note_id(n) for n in [21, *reversed(range(7))]]
        assert more == [True] * (pages - 1) + [False]

    async def test_a_filtered_statement_pages_only_its_rows(self, session: AsyncSession) -> None:
        repository = NoteRepository.from_session(session)
        statement = repository.readable(BOTH).where(Note.id >= note_id(5))

        first = await repository.page_after(statement, limit=2, after=None)
        rest = await repository.page_after(statement, limit=10, after=first[1].id)

        assert [note.id for note in first] == [note_id(n) for n in (5, 6, 10)]
        assert [note.id for note in rest] == [note_id(n) for n in (10, 11, 12, 21)]
