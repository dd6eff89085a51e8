"""A custom-field value checked against its definition's type: the stored JSON value and its
normalised text key (what filters compare). Pure: the user type's membership check needs the
database and is the service's."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from folio.core.schemas import MAX_YEAR, MIN_YEAR
from folio.tags.models import CustomField, FieldType

MAX_TEXT = 1000
MAX_ABS = Decimal(10) ** 15


class BadValue(ValueError):
    """The value does not fit the field; the message says why, for a 422."""


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadValue("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("must be a finite number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise BadValue("must be a number") from exc
    if not number.is_finite() or abs(number) >= MAX_ABS:
        raise BadValue(f"must be a finite number below {MAX_ABS:.0e} in size")
    return number


def number_key(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise BadValue("must be a date, YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise BadValue("must be a date, YYYY-MM-DD") from exc
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadValue(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return day


def _text(value: Any, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadValue("must be a non-empty string")
    if len(value) > limit:
        raise BadValue(f"must be at most {limit} characters")
    return value.strip()


def coerce(field: CustomField, value: Any) -> tuple[Any, str]:
    """``(stored value, key)`` or :class:`BadValue`."""
    if value is None:
        raise BadValue("must not be null; DELETE the value to clear it")
    match field.type:
        case FieldType.text:
            text = _text(value)
            return text, text
        case FieldType.number:
            number = _number(value)
            key = number_key(number)
            as_json: int | float = int(number) if number == number.to_integral() else float(number)
            return as_json, key
        case FieldType.money:
            amount = _number(value).quantize(Decimal("0.01"))
            return str(amount), number_key(amount)
        case FieldType.date:
            day = _date(value).isoformat()
            return day, day
        case FieldType.select:
            choice = _text(value, limit=100)
            if choice not in field.options:
                raise BadValue(f"must be one of {', '.join(field.options)}")
            return choice, choice
        case FieldType.user:
            user_id = _text(value, limit=40)
            return user_id, user_id
    raise BadValue(f"unknown field type {field.type}")  # pragma: no cover - exhaustive


def as_number(field: CustomField, value: Any) -> Decimal | None:
    """The stored value as a number for comparisons, where the type is numeric."""
    if field.type in (FieldType.number, FieldType.money) and value is not None:
        return Decimal(str(value))
    return None
