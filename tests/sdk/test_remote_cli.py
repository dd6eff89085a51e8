"""``folio remote`` as a subprocess against one real ``folio serve`` for the module.

The commands run as ``python -m folio.remote`` (what ``folio remote`` runs, without loading the
server's modules: a fraction of the start-up time); one call goes through the ``folio``
entry point to prove the wiring.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from folio_client import AuthenticationError, Folio

from tests.conftest import corpus
from tests.e2e.server import FOLIO, Server
from tests.sdk.conftest import SDK_SOURCE

pytestmark = pytest.mark.e2e
SRC = Path(__file__).resolve().parents[2] / "src"
INVOICE = b"INVOICE\nInvoice number: INV-2031-0007\nTotal: 99.00 EUR\n"
COOLBLUE = "invoice2data/tests/compare/coolblue1.pdf"
NOTE = b"A short note about nothing in particular.\n"


@dataclass
class Remote:
    server: Server
    password: str
    config: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FOLIO_")}
        env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(SDK_SOURCE)])
        env["XDG_CONFIG_HOME"] = str(self.config)
        env["COLUMNS"] = "200"  # tables not wrapped in the captured output
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "folio.remote", *args]

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=120,
        )

    def json(self, *args: str) -> object:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def sdk(self) -> Folio:
        return Folio(self.server.url, api_key=self.server.api_key)


def process_list() -> bytes:
    """Every process's command line, as ``ps -eo args`` shows them (read from /proc)."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" "))
        except OSError:
            continue  # ended meanwhile
    return b"\n".join(lines)


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    root = tmp_path_factory.mktemp("remote")
    server = Server(root / "data")
    server.start()
    banner = server.stderr_text()
    found = re.search(r"admin login:\s+\S+ / (\S+)\n admin API key: (\S+)", banner)
    assert found, banner
    server.api_key = found.group(2)
    running = Remote(server, found.group(1), root / "config")
    done = running.run("login", "--url", server.url, "--api-key-stdin", stdin=server.api_key + "\n")
    assert done.returncode == 0, done.stderr
    assert server.api_key not in done.stdout + done.stderr
    yield running
    server.stop()


def test_login_keeps_the_key_in_a_private_file_and_never_shows_it(remote: Remote) -> None:
    path = remote.config / "folio" / "profiles.json"
    stored = json.loads(path.read_text())
    listed = subprocess.run(  # through the `folio` entry point: `folio remote` is wired
        [str(FOLIO), "remote", "profiles", "--json"],
        capture_output=True,
        text=True,
        env=remote.env(),
        timeout=120,
    )

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stored["current"] == "default"
    assert stored["profiles"]["default"]["api_key"] == remote.server.api_key
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "name": "default",
            "url": remote.server.url,
            "credential": "api key",
            "email": "admin@folio.local",
            "team_id": None,
            "current": True,
        }
    ]
    assert remote.server.api_key not in listed.stdout + listed.stderr


def test_upload_wait_ls_pages_get_results_and_export(remote: Remote, tmp_path: Path) -> None:
    with remote.sdk() as folio:
        folio.templates.create(
            "cli_invoices",
            [{"name": "number", "locators": [{"kind": "regex", "pattern": r"(INV-\d+-\d+)"}]}],
        )
    (tmp_path / "inv.txt").write_bytes(INVOICE)
    (tmp_path / "note.txt").write_bytes(NOTE)

    uploaded = remote.json(
        "upload", str(tmp_path / "inv.txt"), str(tmp_path / "note.txt"),
        "--template", "cli_invoices", "--wait",
    )  # fmt: skip
    assert isinstance(uploaded, list)
    assert [(d["filename"], d["status"]) for d in uploaded] == [
        ("inv.txt", "completed"),
        ("note.txt", "completed"),
    ]
    first = remote.json("ls", "--limit", "1", "--type", "text")
    assert isinstance(first, dict) and first["next_cursor"]
    second = remote.json("ls", "--limit", "1", "--type", "text", "--cursor", first["next_cursor"])
    assert isinstance(second, dict)
    paged = [first["items"][0]["id"], second["items"][0]["id"]]
    assert sorted(paged) == sorted(d["id"] for d in uploaded)

    invoice_id = uploaded[0]["id"]
    shown = remote.run("get", invoice_id)
    results = remote.json("results", invoice_id)
    text = remote.run("results", invoice_id, "--text")
    exported = remote.json("export", str(tmp_path / "out.csv"), "--template", "cli_invoices")

    assert shown.returncode == 0 and invoice_id in shown.stdout and "completed" in shown.stdout
    assert isinstance(results, dict) and results["document_id"] == invoice_id
    assert "INV-2031-0007" in text.stdout
    written = (tmp_path / "out.csv").read_bytes()
    assert exported == {"path": str(tmp_path / "out.csv"), "bytes": len(written), "format": "csv"}
    assert f"{invoice_id},INV-2031-0007" in written.decode("utf-8-sig")
    assert not (tmp_path / "out.csv.part").exists()


def test_watch_streams_a_processed_event_and_the_key_stays_out_of_the_process_list(
    remote: Remote, tmp_path: Path
) -> None:
    note = tmp_path / "watched.txt"
    note.write_bytes(NOTE)
    with remote.sdk() as folio:  # the newest event so far: what follows it is replayed or live
        anchor = list(folio.events.list())[-1]
    watcher = subprocess.Popen(
        remote.command(
            "watch", "--since", anchor.id,
            "--type", "document.processed", "--count", "1", "--timeout", "60", "--json",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=remote.env(),
    )  # fmt: skip
    try:
        # nothing is processed yet, so the watcher waits: list the processes while it does
        listing = listed_while_running(watcher)
        arguments = Path(f"/proc/{watcher.pid}/cmdline").read_bytes()
        uploaded = remote.run("upload", str(note))  # the table for people, not --json
        out, err = watcher.communicate(timeout=90)
    finally:
        watcher.kill()

    assert uploaded.returncode == 0, uploaded.stderr
    (row,) = [line.split() for line in uploaded.stdout.splitlines() if "watched.txt" in line]
    assert row[2] in {"queued", "processing", "completed"}
    assert watcher.returncode == 0, err
    event = json.loads(out.splitlines()[0])
    assert event["type"] == "document.processed"
    assert event["data"]["document_id"] == row[0]
    assert b"folio.remote watch" in listing  # the list did see the running command
    assert b"folio.remote watch" in arguments.replace(b"\0", b" ")
    assert remote.server.api_key.encode() not in listing
    assert remote.server.api_key.encode() not in arguments
    assert remote.server.api_key not in out + err


def listed_while_running(process: subprocess.Popen[str], seconds: float = 30) -> bytes:
    """The process list once it shows ``process`` (its interpreter may still be starting)."""
    deadline = time.monotonic() + seconds
    while True:
        listing = process_list()
        if b"folio.remote watch" in listing or time.monotonic() > deadline:
            assert process.poll() is None, "the watcher ended before it was listed"
            return listing
        time.sleep(0.05)


def test_a_session_is_refreshed_once_by_commands_started_together_and_logout_ends_it(
    remote: Remote,
) -> None:
    path = remote.config / "folio" / "profiles.json"
    done = remote.run(
        "login", "--url", remote.server.url, "--email", "admin@folio.local",
        "--password-stdin", "--profile", "me", stdin=remote.password + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    stored = json.loads(path.read_text())["profiles"]["me"]
    listed = remote.json("ls", "--profile", "me", "--limit", "1")
    unchanged = json.loads(path.read_text())["profiles"]["me"]

    assert remote.password not in path.read_text() + done.stdout + done.stderr
    assert "api_key" not in stored and stored["refresh_token"] and stored["access_token"]
    assert isinstance(listed, dict) and len(listed["items"]) == 1
    assert unchanged == stored  # the access token was still good: no refresh

    # the access token has expired: three commands at once must refresh once, not three times
    # (a refresh token is rotated on use, and reusing the old one ends the session)
    profiles = json.loads(path.read_text())
    profiles["profiles"]["me"]["access_expires_at"] = 0
    path.write_text(json.dumps(profiles))
    together = [
        subprocess.Popen(
            remote.command("ls", "--profile", "me", "--json"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=remote.env(),
        )
        for _ in range(3)
    ]
    answers = [process.communicate(timeout=120) for process in together]
    rotated = json.loads(path.read_text())["profiles"]["me"]
    still = remote.run("ls", "--profile", "me", "--json")
    logged_out = remote.run("logout", "--profile", "me")
    after = json.loads(path.read_text())

    assert [p.returncode for p in together] == [0, 0, 0], answers
    assert rotated["refresh_token"] != stored["refresh_token"]
    assert rotated["access_expires_at"] > time.time()
    assert still.returncode == 0, still.stderr
    assert logged_out.returncode == 0 and "me" not in after["profiles"]
    assert after["current"] is None  # the session profile had become the current one
    with (
        Folio(remote.server.url, refresh_token=rotated["refresh_token"]) as ended,
        pytest.raises(AuthenticationError),
    ):
        ended.auth.me()
    after["current"] = "default"
    path.write_text(json.dumps(after))


def test_a_bad_key_and_a_missing_document_exit_with_the_problem(remote: Remote) -> None:
    wrong = "fk_" + "x" * 40
    refused = remote.run(
        "login", "--url", remote.server.url, "--profile", "bad", "--api-key-stdin",
        stdin=wrong + "\n",
    )  # fmt: skip
    missing = remote.run("get", "doc_00000000000000000000000000")
    missing_json = remote.run("get", "doc_00000000000000000000000000", "--json")
    unreachable = remote.run(
        "login", "--url", "http://127.0.0.1:9", "--profile", "x", "--api-key-stdin",
        stdin="fk_whatever\n",
    )  # fmt: skip
    profiles = json.loads((remote.config / "folio" / "profiles.json").read_text())

    assert refused.returncode == 3
    assert "401" in refused.stderr and "request id: " in refused.stderr
    assert wrong not in refused.stdout + refused.stderr
    assert "bad" not in profiles["profiles"]
    assert missing.returncode == 4 and "Resource not found (404 NOT_FOUND)" in missing.stderr
    assert "No document doc_00000000000000000000000000." in missing.stderr
    assert "request id: " in missing.stderr
    problem = json.loads(missing_json.stderr)["error"]
    assert missing_json.returncode == 4 and problem["code"] == "NOT_FOUND"
    assert problem["request_id"] and missing_json.stdout == ""
    assert unreachable.returncode == 8 and "no answer" in unreachable.stderr


def test_the_quickstart_example_prints_the_entities_of_a_corpus_file(remote: Remote) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"
    env = {**remote.env(), "FOLIO_URL": remote.server.url, "FOLIO_API_KEY": remote.server.api_key}
    done = subprocess.run(
        [sys.executable, str(example), str(corpus(COOLBLUE))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("coolblue1.pdf: completed, 1 page(s)")
    count = int(lines[1].split()[0])
    assert count > 0 and len(lines) == 2 + count
    assert "  iban           NL50INGB0683251309  (page 1)" in lines, done.stdout
