"""Validation rules over an extraction: per rule pass / fail / skip, with the values involved.

A rule whose inputs are missing is skipped (``required`` is the rule that reports absence).
Paths are dotted (``property.pincode``); ``line_items[].amount`` collects over a list.
"""

from __future__ import annotations

import itertools
from typing import Any

from folio.pipeline.fields import patterns
from folio.pipeline.fields.types import ExtractionResult, Rule, RuleResult, ValidationReport


def resolve(values: dict[str, Any], path: str) -> Any:
    """Walk ``a.b[].c`` through plain values; ``[]`` maps over a list."""
    current: Any = values
    parts = path.split(".")
    for i, part in enumerate(parts):
        spread = part.endswith("[]")
        key = part[:-2] if spread else part
        current = current.get(key) if isinstance(current, dict) else None
        if spread:
            rest = ".".join(parts[i + 1 :])
            items = current if isinstance(current, list) else []
            return [resolve(item, rest) if rest else item for item in items]
    return current


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _required(rule: Rule, values: dict[str, Any]) -> RuleResult:
    value = resolve(values, rule.field or "")
    ok = not _empty(value)
    msg = "" if ok else f"{rule.field} is missing"
    return RuleResult(
        rule=rule, status="pass" if ok else "fail", values={rule.field: value}, message=msg
    )


def _scalar_check(rule: Rule, values: dict[str, Any]) -> RuleResult:
    value = resolve(values, rule.field or "")
    items = value if isinstance(value, list) else [value]
    items = [v for v in items if not _empty(v)]
    if not items:
        return RuleResult(rule=rule, status="skip", values={rule.field: value}, message="no value")
    bad = [v for v in items if not _check_one(rule, v)]
    msg = f"{rule.field}: {bad!r} violate {rule.kind}" if bad else ""
    status = "fail" if bad else "pass"
    return RuleResult(rule=rule, status=status, values={rule.field: value}, message=msg)


def _check_one(rule: Rule, value: Any) -> bool:
    if rule.kind == "pattern":
        return patterns.fullmatch(rule.pattern or "", str(value)) is not None
    if rule.kind == "allowed":
        return str(value).casefold() in {v.casefold() for v in rule.values}
    number = _num(value)
    if number is None:
        return False
    too_low = rule.min is not None and number < rule.min
    too_high = rule.max is not None and number > rule.max
    return not (too_low or too_high)


def _date_order(rule: Rule, values: dict[str, Any]) -> RuleResult:
    found = {f: resolve(values, f) for f in rule.fields}
    present = [(f, v) for f, v in found.items() if not _empty(v)]
    if len(present) < 2:
        return RuleResult(rule=rule, status="skip", values=found, message="fewer than two dates")
    ok = all(str(a[1]) <= str(b[1]) for a, b in itertools.pairwise(present))
    msg = "" if ok else f"dates out of order: {' <= '.join(f for f, _ in present)}"
    return RuleResult(rule=rule, status="pass" if ok else "fail", values=found, message=msg)


def _sum(rule: Rule, values: dict[str, Any]) -> RuleResult:
    items = resolve(values, rule.items or "")
    target = _num(resolve(values, rule.field or ""))
    parsed = [_num(v) for v in items] if isinstance(items, list) else []
    numbers = [n for n in parsed if n is not None]
    involved = {rule.items: numbers, rule.field: target}
    if target is None or not numbers:
        return RuleResult(rule=rule, status="skip", values=involved, message="missing values")
    total = round(sum(numbers), 2)
    involved["sum"] = total
    ok = abs(total - target) <= rule.tolerance
    msg = "" if ok else f"sum of {rule.items} is {total}, {rule.field} is {target}"
    return RuleResult(rule=rule, status="pass" if ok else "fail", values=involved, message=msg)


def _add(rule: Rule, values: dict[str, Any]) -> RuleResult:
    addends = {f: _num(resolve(values, f)) for f in rule.fields}
    target = _num(resolve(values, rule.field or ""))
    involved: dict[str, Any] = {**addends, rule.field or "target": target}
    if target is None or any(v is None for v in addends.values()):
        return RuleResult(rule=rule, status="skip", values=involved, message="missing values")
    total = round(sum(v for v in addends.values() if v is not None), 2)
    ok = abs(total - target) <= rule.tolerance
    msg = "" if ok else f"{' + '.join(rule.fields)} = {total}, {rule.field} is {target}"
    return RuleResult(rule=rule, status="pass" if ok else "fail", values=involved, message=msg)


CHECKS = {
    "required": _required,
    "pattern": _scalar_check,
    "range": _scalar_check,
    "allowed": _scalar_check,
    "date_order": _date_order,
    "sum": _sum,
    "add": _add,
}


def _check(rule: Rule, values: dict[str, Any]) -> RuleResult:
    if missing := rule.missing_inputs():
        return RuleResult(rule=rule, status="skip", values={}, message=f"no {', '.join(missing)}")
    return CHECKS[rule.kind](rule, values)


def validate(extraction: ExtractionResult | dict[str, Any], rules: list[Rule]) -> ValidationReport:
    values = extraction.values() if isinstance(extraction, ExtractionResult) else extraction
    results = [_check(rule, values) for rule in rules]
    return ValidationReport(passed=all(r.status != "fail" for r in results), results=results)
