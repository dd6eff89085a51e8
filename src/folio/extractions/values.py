"""A reviewer's value checked against the field's spec in the template: scalars normalised as
the extractor stores them, lists element by element, objects sub-field by sub-field. Every
misfit is reported at its path (``value[2].amount``), so a client can point at the cell."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from folio.core.errors import FieldError, ValidationFailed
from folio.pipeline.fields.normalize import parse_number
from folio.pipeline.fields.typed import FALSE_WORDS, TRUE_WORDS
from folio.pipeline.fields.types import FieldSpec, FieldType

MAX_TEXT = 2000
SCALARS = (bool, int, float, str)


class Misfit(Exception):
    """One value that does not fit its type (collected into a ValidationFailed)."""


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise Misfit("a number is expected")
    try:
        number = float(value) if isinstance(value, int | float) else parse_number(str(value))
    except OverflowError:
        number = None
    if number is None or not math.isfinite(number):
        raise Misfit("a number is expected, such as 1250.40 or 1.250,40")
    return float(number)


def _date(value: Any) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise Misfit("a date is expected as YYYY-MM-DD") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise Misfit("true or false is expected")


def _text(value: Any, choices: list[str]) -> str:
    text = str(value).strip()
    if not 0 < len(text) <= MAX_TEXT:
        raise Misfit(f"between 1 and {MAX_TEXT} characters are expected")
    if choices:
        chosen = {choice.lower(): choice for choice in choices}.get(text.lower())
        if chosen is None:
            raise Misfit(f"one of {', '.join(choices)} is expected")
        return chosen
    return text


def scalar(field_type: FieldType, value: Any, choices: list[str] | None = None) -> Any:
    """``value`` as the extraction stores one of ``field_type``, or :class:`Misfit`."""
    if not isinstance(value, SCALARS):
        raise Misfit(f"a single {field_type} value is expected, not a list or object")
    if field_type in (FieldType.number, FieldType.money):
        return _number(value)
    if field_type is FieldType.date:
        return _date(value)
    if field_type is FieldType.boolean:
        return _boolean(value)
    return _text(value, choices or [])


def missing(spec: FieldSpec) -> list[Any] | None:
    """A sub-field left out or null: stored as the extractor stores one it did not find."""
    return [] if spec.type is FieldType.list else None


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def refuse(self, path: str, code: str, message: str) -> None:
        self.errors.append(FieldError(path, code, message))

    def field(self, spec: FieldSpec, value: Any, path: str) -> Any:
        if spec.type is FieldType.list:
            return self.items(spec, value, path)
        if spec.type is FieldType.object:
            return self.members(spec.fields, value, path)
        return self.scalar(spec.type, value, path, spec.enum_values)

    def scalar(self, field_type: FieldType, value: Any, path: str, choices: list[str]) -> Any:
        try:
            return scalar(field_type, value, choices)
        except Misfit as misfit:
            self.refuse(path, "invalid", str(misfit))
            return None

    def items(self, spec: FieldSpec, value: Any, path: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.refuse(path, "not_a_list", f"a list is expected for {spec.name}")
            return None
        if len(value) > spec.max_items:
            self.refuse(path, "too_many", f"at most {spec.max_items} items (the template's)")
            return None
        if spec.fields:  # a list of objects (the template may leave item_type unset)
            return [self.members(spec.fields, item, f"{path}[{n}]") for n, item in enumerate(value)]
        item_type = spec.item_type or FieldType.string
        if item_type in (FieldType.list, FieldType.object):
            self.refuse(path, "not_supported", f"items of type {item_type} are not corrected")
            return None
        return [
            self.scalar(item_type, item, f"{path}[{n}]", spec.enum_values)
            for n, item in enumerate(value)
        ]

    def members(self, specs: list[FieldSpec], value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.refuse(path, "not_an_object", "an object of sub-fields is expected")
            return None
        known = {spec.name: spec for spec in specs}
        for key in [key for key in value if key not in known]:
            names = ", ".join(known) or "none"
            self.refuse(f"{path}.{key}", "unknown", f"not a sub-field here ({names})")
        return {name: self.member(spec, value.get(name), path) for name, spec in known.items()}

    def member(self, spec: FieldSpec, value: Any, path: str) -> Any:
        return missing(spec) if value is None else self.field(spec, value, f"{path}.{spec.name}")


def checked(spec: FieldSpec, value: Any) -> Any:
    """``value`` normalised to ``spec`` (the field's definition in the template), or a 422
    problem listing every element that does not fit."""
    checker = _Checker()
    result = checker.field(spec, value, "value")
    if checker.errors:
        raise ValidationFailed(checker.errors)
    return result
