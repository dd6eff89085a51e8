"""Spreadsheet cells filled from documents or users (extracted values, file names, column
names) are never live formulas: text a spreadsheet would evaluate gets a leading quote (OWASP,
"CSV Injection"). Every CSV and XLSX writer passes its cells through :func:`inert_cell`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: Any) -> Any:
    """``value`` unchanged, unless it is text starting like a formula: then quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def inert_row(row: Iterable[Any]) -> list[Any]:
    return [inert_cell(value) for value in row]
