"""``sortBy`` and ``sortOrder`` (RFC 7644 §3.4.2.3) on the attributes filters know: strings
that are not case-exact sort without regard to case; the id breaks ties, so pages are stable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, func

from folio.scim import filters
from folio.scim.errors import ScimError, bad_request
from folio.scim.resources import USER_SCHEMA

ORDERS = ("ascending", "descending")


@dataclass(frozen=True)
class Sort:
    attribute: str  # lower case, without the schema URN
    descending: bool


def sort_of(sort_by: str | None, sort_order: str | None) -> Sort | None:
    """None when no ``sortBy`` was given (then the order is the server's: by id)."""
    order = (sort_order or "ascending").strip().lower()
    if order not in ORDERS:
        raise bad_request('sortOrder is "ascending" or "descending".')
    if not sort_by or not sort_by.strip():
        return None
    name = sort_by.strip()
    if name.lower().startswith(USER_SCHEMA.lower() + ":"):
        name = name[len(USER_SCHEMA) + 1 :]
    return Sort(name.lower(), order == "descending")


def order_by(sort: Sort, attributes: filters.Attributes, tie: Any) -> list[ColumnElement[Any]]:
    attribute = attributes.get(sort.attribute)
    if attribute is None:
        raise ScimError(400, f"Cannot sort by {sort.attribute}.", "invalidPath")
    column = attribute.column
    if isinstance(column, BindParameter):  # the same value on every row
        return [tie]
    if attribute.kind == "string" and not attribute.case_exact:
        column = func.lower(column)
    return [column.desc(), tie.desc()] if sort.descending else [column.asc(), tie.asc()]


def sorted_names(names: list[str], sort: Sort | None, sortable: tuple[str, ...]) -> list[str]:
    """Groups are a few fixed rows, named by their id and displayName alike."""
    if sort is None:
        return names
    if sort.attribute not in sortable:
        raise ScimError(400, f"Cannot sort groups by {sort.attribute}.", "invalidPath")
    return sorted(names, reverse=sort.descending)
