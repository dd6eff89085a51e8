"""Cursor pagination: ``?limit=&cursor=`` in, ``{items, next_cursor, has_more}`` out."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from folio.core.errors import FieldError, ValidationFailed
from folio.core.schemas import Schema

T = TypeVar("T")
Row = TypeVar("Row")

MAX_LIMIT = 100
CURSOR_VALUE = re.compile(r"^[a-z]{2,5}_[0-9a-z]{26}$")


@dataclass(frozen=True)
class PageParams:
    limit: int
    after: str | None


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """Cursors are opaque to clients; inside they are the last id of the previous page."""
    invalid = ValidationFailed(
        [FieldError("cursor", "invalid", "The cursor is not one this API returned.")]
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid from exc
    if not CURSOR_VALUE.match(value):
        raise invalid
    return value


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None
    has_more: bool

    @classmethod
    def from_rows(cls, rows: Sequence[Row], limit: int, *, cursor: Callable[[Row], str]) -> Page[T]:
        has_more = len(rows) > limit
        visible = list(rows[:limit])
        next_cursor = encode_cursor(cursor(visible[-1])) if has_more and visible else None
        return cls(items=visible, next_cursor=next_cursor, has_more=has_more)


ANY_PAGE = Page[Any]


def page_json(items: Sequence[bytes], *, has_more: bool, last: str | None) -> bytes:
    """A ``Page`` as JSON from items already serialised (each kept by a cache): the page's
    own fields come from ``Page`` itself, the items are spliced in. ``last`` is the cursor
    value of the page's last item, as ``from_rows`` takes it."""
    next_cursor = encode_cursor(last) if has_more and last is not None else None
    empty = ANY_PAGE(items=[], next_cursor=next_cursor, has_more=has_more).model_dump_json()
    spliced = b'"items":[' + b",".join(items) + b"]"
    return empty.encode().replace(b'"items":[]', spliced, 1)
