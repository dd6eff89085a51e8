"""The documentation's examples run against a real `folio serve`, as a reader would run them.

Each file in ``docs/examples`` is included into a page (``--8<-- "name"``) and run here with
``FOLIO_URL`` and ``FOLIO_API_KEY`` set, so a renamed route or field fails this test, not the
reader. One server serves the module (one per xdist worker that runs tests from it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
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
        (PORT,), (r"registered whk_\w+", r"verified webhook.test evt_\w+", r'"ok": true')
    ),
    "extraction.sh": Example(
        (INVOICE,), (r"completed", r'"template_name": "invoice"', r'"extracted": 1')
    ),
    "intelligence.sh": Example(
        (INVOICE,), (r'"status": "completed"', r'"entities": \[', r'"box_count": \d+')
    ),
    "datasets.sh": Example(
        (), (r"project prj_\w+", r'"status": "pending"', r'"current_balance": \d+')
    ),
    "limits.sh": Example((), (r"(?i)x-ratelimit-limit: \d+", r'"plan": "free"')),
}
HELPERS = {"webhook_receiver.py"}  # webhooks.sh runs it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(
        tmp_path_factory.mktemp("docs-examples") / "data",
        FOLIO_WEBHOOK_ALLOWED_HOSTS='["127.0.0.1"]',  # the example receiver runs on loopback
    )
    running.start()
    # what Getting started tells a reader to do: take the key the first start prints
    printed = re.search(r"admin API key: (fk_\S+)", running.stderr_text())
    assert printed, running.stderr_text()
    running.api_key = printed.group(1)
    yield running
    running.stop()


def run_example(name: str, server: Server, *args: str, timeout: float = 120) -> str:
    path = EXAMPLES / name
    command = [sys.executable, str(path)] if path.suffix == ".py" else ["bash", str(path)]
    env = {
        **os.environ,
        "FOLIO_URL": server.url,
        "FOLIO_API_KEY": server.api_key,
        # `folio` on the PATH, as after `make install` and activating the virtualenv
        "PATH": f"{FOLIO.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_shows_what_the_docs_say(name: str, server: Server) -> None:
    example = EXPECTED[name]

    args = (str(free_port()) if arg == PORT else str(corpus(arg)) for arg in example.args)
    output = run_example(name, server, *args)

    for fragment in example.expect:
        assert re.search(fragment, output), f"{name}: no {fragment!r} in:\n{output}"


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
