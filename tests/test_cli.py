"""`folio process` on real files, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import corpus

FOLIO = Path(sys.executable).with_name("folio")


def run_folio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FOLIO), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_process_json_prints_one_result_per_file(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Folio reads plain text too.")
    pdf = corpus("pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf")

    completed = run_folio("process", str(pdf), str(note), "--json")

    assert completed.returncode == 0, completed.stderr
    first, second = (json.loads(line) for line in completed.stdout.splitlines())
    assert first["filename"] == "pdflatex-4-pages.pdf"
    assert first["metadata"]["page_count"] == 4
    assert len(first["pages"]) == 4 and first["pages"][0]["words"]
    assert second["pages"][0]["text"].strip() == "Folio reads plain text too."


def test_process_reports_a_failure_with_its_code(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)

    completed = run_folio("process", str(broken), "--json")

    assert completed.returncode == 1
    assert json.loads(completed.stdout)["error"]["code"] == "CORRUPT_DOCUMENT"


def test_process_plain_output(tmp_path: Path) -> None:
    completed = run_folio(
        "process", str(corpus("pypdf_sample_files/001-trivial/minimal-document.pdf"))
    )

    assert completed.returncode == 0
    assert completed.stdout.startswith("Lorem ipsum dolor sit amet")
    assert "1 page(s)" in completed.stderr


def test_process_json_includes_the_analysis() -> None:
    invoice = corpus("invoice2data/tests/compare/AzureInterior.pdf")

    completed = run_folio("process", str(invoice), "--json", "--compliance", "gdpr")

    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["intelligence"]["classification"]["document_type"] == "invoice"
    assert document["intelligence"]["entities"]
    assert document["intelligence"]["security"]["risk_level"] is not None


def test_process_without_analysis(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Just text.")

    completed = run_folio("process", str(note), "--json", "--no-analysis")

    assert json.loads(completed.stdout)["intelligence"] is None


def test_serve_refuses_several_processes_on_the_embedded_defaults(tmp_path: Path) -> None:
    completed = run_folio("serve", "--processes", "2", "--data-dir", str(tmp_path / "data"))

    assert completed.returncode == 2
    assert "FOLIO_EXECUTOR=celery" in completed.stderr
    assert not (tmp_path / "data").exists()


def test_process_as_markdown_and_chunks() -> None:
    pdf = str(corpus("pypdf_sample_files/026-latex-multicolumn/multicolumn.pdf"))

    markdown = run_folio("process", pdf, "--format", "markdown")
    chunks = run_folio("process", pdf, "--format", "chunks", "--max-tokens", "64")
    refused = run_folio(
        "process", pdf, "--format", "chunks", "--max-tokens", "64", "--overlap", "40"
    )

    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# Two-Column Document with Lorem Ipsum\n")
    assert "| Austria | 8.9 | 83,879 | Vienna | German |" in markdown.stdout
    assert chunks.returncode == 0, chunks.stderr
    lines = [json.loads(line) for line in chunks.stdout.splitlines()]
    assert [line["index"] for line in lines] == list(range(len(lines)))
    assert all(line["filename"] == "multicolumn.pdf" and line["tokens"] <= 64 for line in lines)
    assert {page for line in lines for page in line["pages"]} == {1, 2, 3}
    assert refused.returncode == 2
    assert "--overlap" in refused.stderr
