"""A list page reads its rows through the (team_id, id) index, in order, and stops at the
limit: its cost does not grow with the number of documents the team has (SQLite)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from folio.core.prepared import PreparedSelect
from folio.documents.repository import _LIST_KEYS, _LIST_KEYS_BEFORE
from tests.conftest import SCALEOUT

pytestmark = pytest.mark.skipif(SCALEOUT, reason="SQLite's query plans")


async def query_plan(app: FastAPI, sql: str, values: Any) -> str:
    async with app.state.runtime.db.session(write=False) as session:
        connection = await session.connection()
        rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", values)).all()
    return " | ".join(row[-1] for row in rows)


@pytest.mark.parametrize("prepared", [_LIST_KEYS, _LIST_KEYS_BEFORE], ids=["first", "next"])
async def test_a_document_page_needs_no_sort(app: FastAPI, prepared: PreparedSelect) -> None:
    compiled = prepared.statement.compile(app.state.runtime.db.engine)
    values = {"team_ids": ["team_x"], "limit": 21, "before": "doc_z"}
    expanded = compiled.construct_expanded_state(values)
    plan = await query_plan(app, expanded.statement, expanded.positional_parameters)

    assert "ix_documents_team_id_id" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.parametrize("table", ["batches", "tickets"])
async def test_batch_and_ticket_pages_need_no_sort(app: FastAPI, table: str) -> None:
    sql = f"SELECT * FROM {table} WHERE team_id IN (?) ORDER BY id DESC LIMIT 21"
    plan = await query_plan(app, sql, ("team_x",))

    assert f"ix_{table}_team_id_id" in plan
    assert "TEMP B-TREE" not in plan
