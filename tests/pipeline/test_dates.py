"""One date reader: template fields and the entity detector read the same dates the same way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from folio.pipeline.dates import find_dates, parse_date, scan_dates
from folio.pipeline.fields.entities import find_entities
from folio.pipeline.intelligence import extract_entities


def _field_dates(text: str) -> list[object]:
    return [m.value for m in find_entities("date", text)]


def _entity_dates(text: str) -> list[str | None]:
    return [e.normalized for e in extract_entities(text, types={"date"})]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Signed on 27 January 2020.", "2020-01-27"),
        ("Invoice date: August 3, 2014", "2014-08-03"),
        ("Issued 2023-11-05 in Berlin", "2023-11-05"),
        ("Due 12-Jan-2023", "2023-01-12"),
        ("Valid from the 1st of June 2021", "2021-06-01"),
        ("Fait le 5 mai 2024", "2024-05-05"),
        ("Datum: 03.04.2024", "2024-04-03"),  # dotted: day first for both callers
    ],
)
def test_full_dates_through_both_callers(text: str, iso: str) -> None:
    assert parse_date(text) == iso
    assert _field_dates(text) == [iso]
    assert _entity_dates(text) == [iso]


def test_slashed_dates_follow_the_callers_order() -> None:
    text = "Paid 03/04/2024"
    assert _field_dates(text) == ["2024-04-03"]  # fields: the template's order, DMY by default
    assert parse_date(text, order="MDY") == "2024-03-04"
    assert _entity_dates(text) == ["2024-03-04"]  # intelligence: "auto", slashes month first
    assert [d.value for d in scan_dates(text, "auto")] == ["2024-03-04"]


def test_partial_dates_are_mentions_only() -> None:
    text = "Quarter closed March 2024."
    assert find_dates(text) == []
    assert _field_dates(text) == []
    assert _entity_dates(text) == ["2024-03-01"]


def test_impossible_dates() -> None:
    text = "Due 31/02/2024"
    assert _field_dates(text) == []
    assert [(d.raw, d.value) for d in scan_dates(text)] == [("31/02/2024", None)]
    weak = [e for e in extract_entities(text) if e.type == "date"]
    assert [(e.text, e.normalized, e.confidence) for e in weak] == [("31/02/2024", None, 0.5)]


def test_full_dates_never_load_dateparser() -> None:
    code = (
        "import sys; from folio.pipeline.dates import scan_dates;"
        "list(scan_dates('27 January 2020, 2023-11-05, 03/04/2024', 'auto', mentions=True));"
        "sys.exit(1 if 'dateparser' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
