"""The configuration reference is generated from ``folio.config``: every setting documented."""

from __future__ import annotations

from folio.config import SETTING_DESCRIPTIONS, Settings
from folio.core.settings_reference import settings_reference
from tests.test_cli import run_folio


def test_every_setting_has_a_description() -> None:
    undocumented = [doc.variable for doc in settings_reference() if not doc.description.strip()]

    assert undocumented == [], (
        f"describe {undocumented} in config.py (Field(description=...) or SETTING_DESCRIPTIONS)"
    )


def test_no_description_names_a_setting_that_does_not_exist() -> None:
    assert set(SETTING_DESCRIPTIONS) - set(Settings.model_fields) == set()


def test_the_reference_shows_types_and_defaults_as_config_has_them() -> None:
    docs = {doc.variable: doc for doc in settings_reference()}

    assert docs["FOLIO_DATABASE_URL"].type == "str | None"
    assert docs["FOLIO_DATABASE_URL"].default == "unset"
    assert docs["FOLIO_MAX_PAGES"].default == str(Settings.model_fields["max_pages"].default)
    assert docs["FOLIO_EXECUTOR"].default == '"local"'
    assert docs["FOLIO_WORKERS"].default == "computed at start"  # the CPU count, not this machine's
    assert docs["FOLIO_RATE_LIMIT_PLANS"].default.startswith('{"free": {"minute": 60')


def test_folio_settings_prints_every_setting_as_a_markdown_table() -> None:
    completed = run_folio("settings", "--markdown")

    assert completed.returncode == 0, completed.stderr
    rows = [line for line in completed.stdout.splitlines() if line.startswith("| <code>FOLIO_")]
    assert len(rows) == len(Settings.model_fields)
    assert "| <code>FOLIO_CRAWLER_TIMEOUT_S</code> | <code>float</code> | <code>15.0</code> |" in (
        completed.stdout
    )
    assert "<code>str &#124; None</code>" in completed.stdout  # a pipe cannot break the table


def test_folio_settings_filters_by_prefix() -> None:
    completed = run_folio("settings", "--prefix", "CRAWLER_", "--prefix", "credits_")

    assert completed.returncode == 0, completed.stderr
    names = [line.split()[0] for line in completed.stdout.splitlines() if line.startswith("FOLIO")]
    assert names and all(n.startswith(("FOLIO_CRAWLER_", "FOLIO_CREDITS_")) for n in names)
    assert "FOLIO_CRAWLER_PHASH_THRESHOLD" in names
