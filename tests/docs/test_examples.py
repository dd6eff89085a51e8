"""The documentation's examples run against a real `folio serve`, as a reader would run them.

Each file in ``docs/examples`` is included into a page (``--8<-- "name"``) and run here with
``FOLIO_URL`` and ``FOLIO_API_KEY`` set, so a renamed route or field fails this test, not the
reader. The README's Python tour runs too. One server, started as a reader starts it, serves
them all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import corpus
from tests.e2e.server import FOLIO, Server, free_port

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"
TEXT_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
INVOICE = "invoice2data/tests/compare/AmazonWebServices.pdf"
PORT = "<a free port>"
SDK = DOCS.parent / "clients" / "python" / "src"


@dataclass(frozen=True)
class Example:
    args: tuple[str, ...]  # corpus files (passed as paths) or PORT
    expect: tuple[str, ...]  # fragments (regular expressions) the output must hold


# Every example file, with what running it must show. A new example needs an entry here.
EXPECTED: dict[str, Example] = {
    "quickstart.sh": Example(
        (TEXT_PDF,), (r"uploaded doc_\w+", r'"status": "completed"', r'"page_count": 4', r'"text"')
    ),
    "batch.sh": Example(
        (TEXT_PDF, INVOICE),
        (r"batch bat_\w+", r'"status": "completed"', r'"total": 2', r'"completed": 2'),
    ),
    "upload.py": Example(
        (INVOICE,), (r"doc_\w+ completed 1 pages", r"type: \w+", r"422 application/problem\+json")
    ),
    "cli.sh": Example((TEXT_PDF,), (r'"pages": 4', r'"filename": "pdflatex-4-pages.pdf"')),
    "websocket_events.py": Example(
        (TEXT_PDF,), (r"auth:success", r"subscribed", r"document.processed completed")
    ),
    "webhooks.sh": Example(
        (PORT, TEXT_PDF),
        (
            r"registered whk_\w+",
            r"verified webhook.test evt_\w+",
            r'"ok": true',
            r"verified document.processed evt_\w+",
            r'"status": "succeeded"',
        ),
    ),
    "extraction.sh": Example(
        (INVOICE,), (r"completed", r'"template_name": "invoice"', r'"extracted": 1')
    ),
    "intelligence.sh": Example(
        (INVOICE,), (r'"status": "completed"', r'"entities": \[', r'"box_count": [1-9]')
    ),
    "datasets.sh": Example(
        (), (r"project prj_\w+", r'"status": "pending"', r'"current_balance": \d+')
    ),
    "limits.sh": Example((), (r"(?i)x-ratelimit-limit: \d+", r'"plan": "free"')),
    "zero_retention.sh": Example(
        (TEXT_PDF,), (r'"document_id": null', r'"pages": 4', r'"first_line": "Hello, here is')
    ),
    "workflows.sh": Example(
        (INVOICE,),
        (
            r"document completed",
            r"started wfi_\w+ at step Approve",
            r'"state": "completed"',
            r"started task_opened task_approved step_executed completed",
        ),
    ),
    "automations.sh": Example(
        (INVOICE,),
        (
            r'"name":"to-pay"',
            r"rule aut_\w+",
            r'"status": "succeeded"',
            r'"tags":\["to-pay"\]',
            r'"would_run": true',
        ),
    ),
    "sdk.py": Example(
        (INVOICE,),
        (
            r"sent (\d+) of \1 bytes",
            r"doc_\w+ completed 1 pages",
            r"words on page 1: [1-9]",
            r"listed doc_\w+ AmazonWebServices.pdf",
            r"404 NOT_FOUND request \S+",
        ),
    ),
}
HELPERS = {"webhook_receiver.py"}  # webhooks.sh runs it


def start_server(data_dir: Path) -> Server:
    server = Server(data_dir, FOLIO_WEBHOOK_ALLOWED_HOSTS='["127.0.0.1"]')  # the receiver's host
    server.start()
    # what Getting started tells a reader to do: take the key the first start prints
    printed = re.search(r"admin API key: (fk_\S+)", server.stderr_text())
    assert printed, server.stderr_text()
    server.api_key = printed.group(1)
    return server


def run(command: list[str], server: Server, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FOLIO_URL": server.url,
        "FOLIO_API_KEY": server.api_key,
        # `folio` on the PATH and the SDK importable, as after `make install` and activating
        # the virtualenv (the tests import the SDK from its source tree)
        "PATH": f"{FOLIO.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SDK), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=env, timeout=180, check=False
    )


def check_example(name: str, server: Server, cwd: Path) -> str | None:
    """What is wrong with running the example ``name``, or None."""
    path = EXAMPLES / name
    interpreter = [sys.executable] if path.suffix == ".py" else ["bash"]
    args = [str(free_port()) if arg == PORT else str(corpus(arg)) for arg in EXPECTED[name].args]
    done = run([*interpreter, str(path), *args], server, cwd)
    missing = [f for f in EXPECTED[name].expect if not re.search(f, done.stdout)]
    if done.returncode == 0 and not missing:
        return None
    return f"{name}: exit {done.returncode}, missing {missing}\n{done.stdout}\n{done.stderr}"


def check_readme_tour(server: Server, cwd: Path) -> str | None:
    """The README's Python tour, with the server's address and key put in for the reader's."""
    readme = (DOCS.parent / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", readme, re.S)
    if block is None:
        return "README.md: the tour has no Python block"
    script = block.group(1).replace("fk_…", server.api_key)
    (cwd / "tour.py").write_text(script.replace("http://127.0.0.1:8000", server.url))
    (cwd / "invoice.pdf").write_bytes(corpus(INVOICE).read_bytes())
    done = run([sys.executable, "tour.py"], server, cwd)
    if done.returncode == 0 and "'type':" in done.stdout:  # the entities Folio found
        return None
    return f"README.md tour: exit {done.returncode}\n{done.stdout}\n{done.stderr}"


@pytest.mark.timeout(600)  # about a minute alone; a loaded CI machine may take a few times that
def test_every_example_runs_against_a_real_server(tmp_path: Path) -> None:
    # one test, so one server however the suite is split between xdist workers
    server = start_server(tmp_path / "data")
    try:
        problems = [check_example(name, server, tmp_path) for name in sorted(EXPECTED)]
        problems.append(check_readme_tour(server, tmp_path))
    finally:
        server.stop()

    failed = [problem for problem in problems if problem is not None]
    assert not failed, "\n\n".join(failed)


def test_every_example_is_checked_and_shown_in_the_docs() -> None:
    files = {p.name for p in EXAMPLES.iterdir() if p.suffix in {".sh", ".py"}}
    included = {
        name
        for page in DOCS.rglob("*.md")
        for name in re.findall(r'--8<-- "([^"]+)"', page.read_text())
    }

    assert files - set(EXPECTED) - HELPERS == set(), "add the example to EXPECTED"
    assert files - included == set(), "include the example in a page with --8<--"
    assert included - files == set(), "a page includes an example that does not exist"
