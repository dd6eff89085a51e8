"""List-of-object fields read from a detected table: header cells matched to sub-field labels,
one item per row with numbers, text-only rows appended to the previous item."""

from __future__ import annotations

import re

from folio.pipeline.dates import DateOrder
from folio.pipeline.fields.anchors import label_pattern
from folio.pipeline.fields.layout import Line, LWord, fold, union
from folio.pipeline.fields.locators import Context, Found, confidence
from folio.pipeline.fields.typed import plain_value, typed_matches
from folio.pipeline.fields.types import (
    Cell,
    FieldSpec,
    FieldType,
    FieldValue,
    Locator,
    LocatorKind,
    Table,
)

STOP_ROW = re.compile(
    r"^\s*(sub\s*-?\s*total|total|totaal|summe|gesamt|montant|tax\b|vat\b|btw\b|tva\b|mwst|"
    r"amount due|balance|grand total|net total|razem)",
    re.IGNORECASE,
)


def _labels(spec: FieldSpec) -> list[str]:
    return [lab for loc in spec.locators if loc.kind == LocatorKind.table for lab in loc.labels]


def _match_columns(header: list[str], spec: FieldSpec) -> dict[str, int]:
    folded = [fold(h) for h in header]
    mapping: dict[str, int] = {}
    for sub in spec.fields:
        for label in _labels(sub):
            cols = [i for i, h in enumerate(folded) if h and label_pattern(label).search(h)]
            free = [c for c in cols if c not in mapping.values()]
            if free:
                mapping[sub.name] = free[0]
                break
    return mapping


def _best_table(
    ctx: Context, spec: FieldSpec, lines: list[Line]
) -> tuple[Table, int, dict[str, int]] | None:
    """The table row that reads most like a header for ``spec``'s columns."""
    pages = {line.page for line in lines}
    best: tuple[Table, int, dict[str, int]] | None = None
    for table in ctx.tables:
        if table.page not in pages:
            continue
        for r, row in enumerate(table.grid()):
            if sum(bool(re.search(r"\d", c)) for c in row) > 1:
                continue
            mapping = _match_columns(row, spec)
            enough = len(mapping) >= min(2, len(spec.fields))
            if enough and (best is None or len(mapping) > len(best[2])):
                best = (table, r, mapping)
    return best


def _cell_value(sub: FieldSpec, cell: Cell | None, order: DateOrder) -> tuple[object, str] | None:
    if cell is None or not cell.text.strip():
        return None
    matches = typed_matches(cell.text, sub, order)
    if not matches:
        return None
    m = matches[-1] if sub.type in (FieldType.money, FieldType.number) else matches[0]
    if sub.type == FieldType.string:
        return cell.text.strip(), cell.text
    return plain_value(m.value), m.raw


def table_items(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    chosen = _best_table(ctx, spec, lines)
    if chosen is None:
        return []
    table, header, mapping = chosen
    by_row: dict[int, dict[int, Cell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, {})[cell.column] = cell
    items: list[Found] = []
    subs = {s.name: s for s in spec.fields}
    for r in range(header + 1, table.n_rows):
        row = by_row.get(r, {})
        first = next((row[c].text for c in sorted(row)), "")
        if STOP_ROW.search(first):
            break
        values = _row_values(ctx, subs, mapping, row, table.page, loc)
        numeric = any(
            subs[n].type in (FieldType.money, FieldType.number) for n in values if n in subs
        )
        if numeric:
            words = [LWord(c.text, c.bbox, table.page) for c in row.values() if c.bbox]
            conf = confidence("table", words, loc)
            items.append(Found(values, first, words, "table", conf, 0, r))
        elif items and values:
            _append_text(items[-1], values)
    return items


def _row_values(
    ctx: Context,
    subs: dict[str, FieldSpec],
    mapping: dict[str, int],
    row: dict[int, Cell],
    page: int,
    loc: Locator,
) -> dict[str, FieldValue]:
    values: dict[str, FieldValue] = {}
    for name, col in mapping.items():
        sub = subs[name]
        read = _cell_value(sub, row.get(col), ctx.date_order)
        if read is None:
            continue
        cell = row[col]
        values[name] = FieldValue(
            name=name,
            type=sub.type,
            value=read[0],
            raw=read[1],
            page=page,
            bbox=cell.bbox,
            method="table",
            confidence=confidence("table", [], loc),
        )
    return values


def _append_text(item: Found, values: dict[str, FieldValue]) -> None:
    current = item.value
    assert isinstance(current, dict)
    for name, fv in values.items():
        prev = current.get(name)
        if isinstance(fv.value, str) and isinstance(prev, FieldValue) and prev.type == "string":
            prev.value = f"{prev.value}\n{fv.value}"
            prev.raw = f"{prev.raw}\n{fv.raw}"
            if prev.bbox and fv.bbox:
                prev.bbox = union([prev.bbox, fv.bbox])


def table_cell(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    """A scalar from a table column: the first typed value under a header cell that matches
    one of ``loc.labels``."""
    pages = {line.page for line in lines}
    out: list[Found] = []
    for table in ctx.tables:
        if table.page not in pages:
            continue
        grid = table.grid()
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                if text and any(label_pattern(lab).search(fold(text)) for lab in loc.labels):
                    found = _below_in_column(ctx, spec, loc, table, r, c)
                    if found:
                        out.append(found)
    return out


def _below_in_column(ctx: Context, spec: FieldSpec, loc: Locator, table: Table, header: int,
                     column: int) -> Found | None:  # fmt: skip
    cells = {(cell.row, cell.column): cell for cell in table.cells}
    for r in range(header + 1, table.n_rows):
        cell = cells.get((r, column))
        read = _cell_value(spec, cell, ctx.date_order)
        if cell is not None and read is not None:
            words = [LWord(cell.text, cell.bbox, table.page)] if cell.bbox else []
            conf = confidence("table", words, loc)
            return Found(read[0], read[1], words, "table", conf, 0, r)
    return None
