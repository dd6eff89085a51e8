"""SELECTs that status reads repeat many times a second, prepared once.

Through SQLAlchemy's execution path a 21-row page of documents cost 1.2-1.8 ms in-process,
of which the query itself on sqlite3 was ~0.2 ms: the rest went to the session's connection
checkout, ``BEGIN`` and commit (~0.4 ms), the execution context, the async adaptation of each
cursor call and ``Row`` objects (issue 8). A :class:`PreparedSelect` compiles its statement
once per dialect and number of values of each expanding parameter. In a read session on
SQLite it then runs on a plain sqlite3 connection the session takes from
:class:`~folio.core.sqlite_inline.ReadSnapshots` at its first prepared read and hands back
when it ends: one snapshot for all of the session's prepared reads (its ORM reads, if any,
see their own snapshot through SQLAlchemy's connection). Values still go through the columns'
own bind and result processors, so rows hold what a normal execution would give.

Elsewhere (PostgreSQL, or a write session) it runs through ``session.execute`` as any
statement.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, cast

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from typing_extensions import TypeVar

from folio.core.db import SNAPSHOT, SNAPSHOTS
from folio.core.sqlite_inline import ReadSnapshots

Processor = Callable[[Any], Any] | None


class ResultRow(Protocol):
    """A row of a :class:`PreparedSelect`: a named tuple, or an SQLAlchemy ``Row``."""

    _fields: tuple[str, ...]

    def __getattr__(self, name: str) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


# What a caller knows of its statement's rows: a protocol naming their columns, say
RowT = TypeVar("RowT", default=ResultRow)


@dataclass(frozen=True)
class _Slot:
    """Where one positional parameter comes from: a caller's value (``index`` into a list
    for an expanding parameter), or a value the statement holds itself (``constant``)."""

    name: str | None
    index: int | None
    constant: Any
    processor: Processor

    def value(self, parameters: dict[str, Any]) -> Any:
        if self.name is None:
            value = self.constant
        elif self.index is None:
            value = parameters[self.name]
        else:
            value = parameters[self.name][self.index]
        return self.processor(value) if self.processor is not None else value


@dataclass(frozen=True)
class _Plan:
    sql: str
    slots: tuple[_Slot, ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, result processor)
    row_type: Any  # a namedtuple class

    def run(self, connection: sqlite3.Connection, parameters: dict[str, Any]) -> list[Any]:
        values = tuple(slot.value(parameters) for slot in self.slots)
        make, converters = self.row_type._make, self.converters
        rows = []
        for raw in connection.execute(self.sql, values).fetchall():
            row = list(raw)
            for index, convert in converters:
                row[index] = convert(row[index])
            rows.append(make(row))
        return rows


class PreparedSelect(Generic[RowT]):
    """A SELECT of plain columns (named as Python identifiers) with bound parameters
    (``bindparam``), run many times.

    Rows are named tuples of the selected columns' names on the fast path and SQLAlchemy
    ``Row`` objects otherwise: both give attribute access, ``_fields`` and iteration."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        binds = statement.compile().binds.values()
        self.expanding = tuple(bind.key for bind in binds if bind.expanding)
        self._fields = tuple(statement.selected_columns.keys())
        self._plans: dict[tuple[str, tuple[int, ...]], _Plan] = {}

    async def all(self, session: AsyncSession, **parameters: Any) -> Sequence[RowT]:
        snapshots: ReadSnapshots | None = session.info.get(SNAPSHOTS)
        if snapshots is None:
            rows = (await session.execute(self.statement, parameters)).all()
            # the caller's RowT describes the statement's columns: mypy cannot relate the two
            return cast(Sequence[RowT], rows)
        connection = session.info.get(SNAPSHOT)
        if connection is None:
            connection = session.info[SNAPSHOT] = snapshots.take()
        return self._plan(session.get_bind().dialect, parameters).run(connection, parameters)

    async def first(self, session: AsyncSession, **parameters: Any) -> RowT | None:
        rows = await self.all(session, **parameters)
        return rows[0] if rows else None

    def _plan(self, dialect: Dialect, parameters: dict[str, Any]) -> _Plan:
        sizes = tuple(len(parameters[name]) for name in self.expanding)
        key = (dialect.name, sizes)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(dialect, parameters)
        return plan

    def _compile(self, dialect: Dialect, parameters: dict[str, Any]) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        expanded = compiled.construct_expanded_state(parameters)
        origin = {
            name: (key, index)
            for key, names in expanded.parameter_expansion.items()
            for index, name in enumerate(names)
        }
        slots = []
        for name in expanded.positiontup or ():
            processor = expanded.processors.get(name)
            if name in origin:
                key, index = origin[name]
                slots.append(_Slot(key, index, None, processor))
            elif name in parameters:
                slots.append(_Slot(name, None, None, processor))
            else:
                slots.append(_Slot(None, None, expanded.parameters[name], processor))
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        converters = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        row_type = namedtuple("PreparedRow", self._fields)  # type: ignore[misc]  # names known at run time
        return _Plan(expanded.statement, tuple(slots), converters, row_type)
