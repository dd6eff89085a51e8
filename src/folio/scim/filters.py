"""SCIM filters (RFC 7644 §3.4.2.2) to SQL: ``scim2-filter-parser`` parses, this module turns
its syntax tree into a SQLAlchemy clause over the attributes Folio stores. An attribute it
does not know is an ``invalidFilter`` error, never silently dropped (which would widen the
result)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scim2_filter_parser import ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true

from folio.scim.errors import ScimError

MAX_FILTER = 1000


@dataclass(frozen=True)
class Attribute:
    column: Any
    kind: str = "string"  # string | boolean | datetime
    case_exact: bool = False


Attributes = dict[str, Attribute]


def invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def parse(text: str) -> ast.Filter:
    if len(text) > MAX_FILTER:
        raise invalid(f"The filter is longer than {MAX_FILTER} characters.")
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as exc:  # the parser raises its own errors and sly's, untyped
        raise invalid(f"The filter is not valid SCIM filter syntax: {exc}") from exc


def to_clause(text: str, attributes: Attributes) -> ColumnElement[bool]:
    tree = parse(text)
    if tree is None:
        raise invalid("The filter is empty.")
    return _filter(tree, attributes, None)


def _filter(node: Any, attributes: Attributes, namespace: str | None) -> ColumnElement[bool]:
    if isinstance(node, ast.Filter):
        inner_namespace = namespace
        if node.namespace is not None:
            inner_namespace = _path_name(node.namespace, None)
        clause = _filter(node.expr, attributes, inner_namespace)
        return not_(clause) if node.negated else clause
    if isinstance(node, ast.LogExpr):
        left = _filter(node.expr1, attributes, namespace)
        right = _filter(node.expr2, attributes, namespace)
        return and_(left, right) if node.op.lower() == "and" else or_(left, right)
    if isinstance(node, ast.AttrExpr):
        return _comparison(node, attributes, namespace)
    raise invalid("The filter has a part this server does not support.")


def _path_name(path: ast.AttrPath, namespace: str | None) -> str:
    if isinstance(path.attr_name, ast.Filter):
        raise invalid("Nested value filters are not supported.")
    name = str(path.attr_name)
    if path.sub_attr is not None:
        name = f"{name}.{path.sub_attr.value}"
    if namespace is not None:
        name = f"{namespace}.{name}"
    return name.lower()


def _comparison(
    node: ast.AttrExpr, attributes: Attributes, namespace: str | None
) -> ColumnElement[bool]:
    if isinstance(node.attr_path.attr_name, ast.Filter):  # emails[type eq "work"].value …
        raise invalid("Value filters with a sub-attribute are not supported; use emails.value.")
    name = _path_name(node.attr_path, namespace)
    attribute = attributes.get(name)
    if attribute is None:
        raise invalid(f"Filtering on {name} is not supported.")
    op = str(node.value).lower()
    if op == "pr":
        column = attribute.column
        present = column.is_not(None)
        return and_(present, column != "") if attribute.kind == "string" else present
    raw = node.comp_value.value if node.comp_value is not None else None
    if raw is None or raw == "null":
        raise invalid(f"{op} needs a value.")
    return _OPERATORS.get(attribute.kind, _string)(attribute, op, raw)


def _boolean(attribute: Attribute, op: str, raw: str) -> ColumnElement[bool]:
    if raw not in ("true", "false") or op not in ("eq", "ne"):
        raise invalid("A boolean attribute takes eq or ne with true or false.")
    wanted = true() if raw == "true" else false()
    clause = attribute.column.is_(wanted) if op == "eq" else attribute.column.is_not(wanted)
    return clause


def _datetime(attribute: Attribute, op: str, raw: str) -> ColumnElement[bool]:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid(f"{raw} is not an RFC 3339 date-time.") from exc
    return _ordered(attribute.column, op, value)


def _string(attribute: Attribute, op: str, raw: str) -> ColumnElement[bool]:
    column = attribute.column if attribute.case_exact else func.lower(attribute.column)
    value = raw if attribute.case_exact else raw.lower()
    if op == "co":
        return column.contains(value, autoescape=True)
    if op == "sw":
        return column.startswith(value, autoescape=True)
    if op == "ew":
        return column.endswith(value, autoescape=True)
    return _ordered(column, op, value)


def _ordered(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    comparisons: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
        "eq": lambda c, v: c == v,
        "ne": lambda c, v: c != v,
        "gt": lambda c, v: c > v,
        "ge": lambda c, v: c >= v,
        "lt": lambda c, v: c < v,
        "le": lambda c, v: c <= v,
    }
    compare = comparisons.get(op)
    if compare is None:
        raise invalid(f"The operator {op} does not apply here.")
    return compare(column, value)


_OPERATORS = {"boolean": _boolean, "datetime": _datetime, "string": _string}
