"""``page_json`` (core/pagination.py): the page ``Page.from_rows`` makes, from items already
serialised."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from folio.core.pagination import Page, decode_cursor, page_json


class Item(BaseModel):
    id: str
    name: str


ITEMS = [Item(id=f"doc_{index:026d}", name=f'item "{index}"') for index in range(5)]


@pytest.mark.parametrize(("fetched", "limit"), [(0, 3), (2, 3), (3, 3), (4, 3), (5, 1)])
def test_the_same_page_as_from_rows(fetched: int, limit: int) -> None:
    rows = ITEMS[:fetched]
    expected = Page[Item].from_rows(rows, limit, cursor=lambda item: item.id)

    visible = rows[:limit]
    body = page_json(
        [row.model_dump_json().encode() for row in visible],
        has_more=len(rows) > limit,
        last=visible[-1].id if visible else None,
    )

    assert json.loads(body) == json.loads(expected.model_dump_json())
    page = json.loads(body)
    if page["has_more"]:
        assert decode_cursor(page["next_cursor"]) == rows[limit - 1].id
