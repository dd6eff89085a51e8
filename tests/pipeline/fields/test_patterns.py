"""User-written template patterns run with a time budget: a catastrophic one cannot freeze us."""

from __future__ import annotations

import time
from pathlib import Path

from folio.pipeline.fields import (
    FieldSpec,
    FieldType,
    Locator,
    LocatorKind,
    Rule,
    Template,
    apply_template,
    validate,
)
from folio.pipeline.fields.patterns import PATTERN_TIMEOUT_S, finditer, fullmatch, search

from .conftest import INVOICES

CATASTROPHIC = r"(a|aa)+$"  # exponential backtracking in the re module
HOSTILE_TEXT = "a" * 60 + "b"


def _timed(call) -> tuple[object, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_a_catastrophic_pattern_gives_up_within_its_budget() -> None:
    for match in (finditer, search, fullmatch):
        result, seconds = _timed(lambda m=match: m(CATASTROPHIC, HOSTILE_TEXT))
        assert not result
        assert seconds < PATTERN_TIMEOUT_S * 8


def test_ordinary_patterns_behave_like_re() -> None:
    assert [m.group(0) for m in finditer(r"\d+", "a 12 b 345")] == ["12", "345"]
    assert search(r"TOTAL", "grand total: 5", 2) is not None  # 2: IGNORECASE
    assert fullmatch(r"[A-Z]{3}", "EUR") is not None and fullmatch(r"[A-Z]{3}", "EURO") is None


def test_a_hostile_validation_rule_fails_instead_of_hanging() -> None:
    rule = Rule(kind="pattern", field="code", pattern=CATASTROPHIC)
    report, seconds = _timed(lambda: validate({"code": HOSTILE_TEXT}, [rule]))
    assert report.results[0].status == "fail"
    assert seconds < PATTERN_TIMEOUT_S * 8


def test_a_hostile_regex_locator_finds_nothing_on_a_real_invoice(corpus: Path, process) -> None:
    template = Template(
        name="hostile",
        fields=[
            FieldSpec(
                name="trap",
                type=FieldType.string,
                locators=[Locator(kind=LocatorKind.regex, pattern=r"(\w|\w\w)+$")],
            ),
            FieldSpec(
                name="bic",
                type=FieldType.string,
                locators=[Locator(kind=LocatorKind.anchor, labels=["bic", "swift"])],
            ),
        ],
    )
    document = process(INVOICES / "coolblue1.pdf")
    extraction, seconds = _timed(lambda: apply_template(document, template))
    assert extraction.values()["bic"] == "INGBNL2A"  # the other fields are unharmed
    assert seconds < 30
