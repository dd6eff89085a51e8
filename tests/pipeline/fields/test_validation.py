"""Validation rules on plain values: pass, fail and skip, with the values involved."""

from __future__ import annotations

from folio.pipeline.fields import Rule, validate

VALUES = {
    "total": 121.0,
    "subtotal": 100.0,
    "tax": 21.0,
    "currency": "EUR",
    "issue_date": "2024-01-10",
    "due_date": "2024-01-05",
    "line_items": [{"amount": 60.0}, {"amount": 40.0}, {"amount": None}],
}


def _one(rule: Rule, values: dict | None = None):
    return validate(values or VALUES, [rule]).results[0]


def test_required() -> None:
    assert _one(Rule(kind="required", field="total")).status == "pass"
    missing = _one(Rule(kind="required", field="iban"))
    assert missing.status == "fail" and missing.message == "iban is missing"


def test_pattern_range_allowed() -> None:
    assert _one(Rule(kind="pattern", field="currency", pattern="[A-Z]{3}")).status == "pass"
    assert _one(Rule(kind="range", field="total", min=0, max=100)).status == "fail"
    assert _one(Rule(kind="allowed", field="currency", values=["usd", "eur"])).status == "pass"
    assert _one(Rule(kind="range", field="iban", min=0)).status == "skip"


def test_date_order() -> None:
    result = _one(Rule(kind="date_order", fields=["issue_date", "due_date"]))
    assert result.status == "fail"
    assert result.values == {"issue_date": "2024-01-10", "due_date": "2024-01-05"}


def test_line_items_sum_to_subtotal() -> None:
    result = _one(Rule(kind="sum", items="line_items[].amount", field="subtotal"))
    assert result.status == "pass"
    assert result.values["sum"] == 100.0
    off = dict(VALUES, subtotal=100.05)
    assert _one(Rule(kind="sum", items="line_items[].amount", field="subtotal"), off).status == (
        "fail"
    )
    tolerant = Rule(kind="sum", items="line_items[].amount", field="subtotal", tolerance=0.1)
    assert _one(tolerant, off).status == "pass"


def test_subtotal_plus_tax_is_total() -> None:
    result = _one(Rule(kind="add", fields=["subtotal", "tax"], field="total"))
    assert result.status == "pass"
    assert result.values == {"subtotal": 100.0, "tax": 21.0, "total": 121.0}
    wrong = _one(Rule(kind="add", fields=["subtotal", "tax"], field="total"), dict(VALUES, tax=20))
    assert wrong.status == "fail" and "121" in wrong.message


def test_report_passes_only_without_failures() -> None:
    rules = [Rule(kind="required", field="total"), Rule(kind="range", field="iban", min=0)]
    report = validate(VALUES, rules)
    assert report.passed and [r.status for r in report.results] == ["pass", "skip"]
