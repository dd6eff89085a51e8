"""`folio process FILE --template NAME --json`: extracted fields without a server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import corpus
from tests.test_cli import run_folio

from .conftest import COOLBLUE


def test_builtin_template_prints_fields_with_boxes() -> None:
    completed = run_folio("process", str(corpus(COOLBLUE)), "--template", "invoice", "--json")

    assert completed.returncode == 0, completed.stderr
    printed = json.loads(completed.stdout)
    assert printed["filename"] == "coolblue1.pdf" and printed["template"] == "invoice"
    assert printed["values"]["total"] == 717.97
    total = printed["fields"]["total"]
    assert total["raw"] and total["page"] == 1 and len(total["bbox"]) == 4


def test_template_file_and_plain_output(tmp_path: Path) -> None:
    template = tmp_path / "order.json"
    template.write_text(
        json.dumps(
            {
                "name": "order",
                "fields": [
                    {
                        "name": "invoice_number",
                        "locators": [{"kind": "anchor", "labels": ["Factuurnummer"]}],
                    }
                ],
            }
        )
    )

    completed = run_folio("process", str(corpus(COOLBLUE)), "--template", str(template))

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == 'invoice_number: "993548900"'


def test_unknown_template_is_a_usage_error() -> None:
    completed = run_folio("process", str(corpus(COOLBLUE)), "--template", "nope")

    assert completed.returncode == 2
    assert "--template" in completed.stderr
