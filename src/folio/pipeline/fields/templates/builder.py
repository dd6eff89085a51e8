"""Short constructors for template fields, so built-in templates read like tables."""

from __future__ import annotations

from typing import Any

from folio.pipeline.fields.types import (
    FieldSpec,
    FieldType,
    Locator,
    LocatorKind,
    Pick,
    Position,
)


def anchor(
    *labels: str,
    position: Position = Position.any,
    exclude: tuple[str, ...] = (),
    pick: Pick = Pick.first,
    value_pick: str = "first",
    max_lines_below: int = 3,
) -> Locator:
    return Locator(
        kind=LocatorKind.anchor,
        labels=list(labels),
        position=position,
        exclude=list(exclude),
        pick=pick,
        value_pick=value_pick,
        max_lines_below=max_lines_below,
    )


def regex(pattern: str, group: int | str = 1, pick: Pick = Pick.first) -> Locator:
    return Locator(kind=LocatorKind.regex, pattern=pattern, group=group, pick=pick)


def entity(kind: str, pick: Pick = Pick.first) -> Locator:
    return Locator(kind=LocatorKind.entity, entity=kind, pick=pick)


def heuristic(name: str) -> Locator:
    return Locator(kind=LocatorKind.heuristic, heuristic=name)


def column(*labels: str) -> Locator:
    return Locator(kind=LocatorKind.table, labels=list(labels))


def section(start: str, end: str | None = None) -> Locator:
    return Locator(kind=LocatorKind.section, pattern=start, end_pattern=end)


def llm(instruction: str) -> Locator:
    return Locator(kind=LocatorKind.llm, instruction=instruction)


def field(name: str, type_: FieldType, *locators: Locator, **kw: Any) -> FieldSpec:
    return FieldSpec(name=name, type=type_, locators=list(locators), **kw)
