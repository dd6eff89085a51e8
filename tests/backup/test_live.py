"""A backup of a running server under upload load restores into a fresh data directory with
every document, result, user, key and team setting identical, and every blob intact."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.backup.conftest import backup_to, folio, rows, sha256
from tests.conftest import corpus
from tests.e2e.server import Server, bootstrap_key

pytestmark = [pytest.mark.e2e]
PDFS = [
    "pypdf_sample_files/001-trivial/minimal-document.pdf",
    "pypdf_sample_files/002-trivial-libre-office-writer/002-trivial-libre-office-writer.pdf",
    "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf",
]
UNLIMITED = {"FOLIO_RATE_LIMIT_ENABLED": "false"}  # the load outruns the free plan's 60 a minute
# read from the live database and the restored one, which must agree row for row
ACCOUNTS = {
    "users": "SELECT id, email, password_hash FROM users",
    "api_keys": "SELECT id, team_id, user_id, secret_hash, scopes FROM api_keys",
    "teams": "SELECT id, name, settings FROM teams",
    "memberships": "SELECT * FROM memberships",
}
RESULTS = (
    "SELECT id, sha256, size_bytes, blob_key, version, page_count, word_count, document_type, "
    "language, intelligence FROM documents WHERE status = 'completed'"
)


class UploadLoad(threading.Thread):
    """Uploads distinct PDFs back to back until stopped; remembers when each was accepted."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.stopping = threading.Event()
        self.accepted: list[tuple[float, str]] = []
        self.failures: list[str] = []

    def run(self) -> None:
        bodies = [corpus(name).read_bytes() for name in PDFS]
        with self.server.client() as client:
            count = 0
            while not self.stopping.is_set():
                body = bodies[count % len(bodies)] + f"\n% load {count}\n".encode()
                response = client.post(
                    "/api/v1/documents", files={"file": (f"load-{count}.pdf", body)}
                )
                if response.status_code == 202:
                    self.accepted.append((time.monotonic(), response.json()["id"]))
                else:
                    self.failures.append(response.text)
                count += 1

    def accepted_before(self, moment: float) -> set[str]:
        return {document_id for when, document_id in self.accepted if when < moment}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data", **UNLIMITED)
    running.api_key = bootstrap_key(running.data_dir)
    running.start()
    yield running
    running.stop()


def settle(client: httpx.Client, document_id: str) -> dict:
    response = client.get(f"/api/v1/documents/{document_id}", params={"wait": 60}, timeout=70)
    assert response.json()["status"] == "completed", response.text
    return response.json()


def all_document_ids(client: httpx.Client) -> set[str]:
    found: set[str] = set()
    cursor: str | None = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/documents", params=params).json()
        found |= {item["id"] for item in page["items"]}
        if not page["has_more"]:
            return found
        cursor = page["next_cursor"]


def prepare_state(client: httpx.Client) -> list[str]:
    """A team setting and three processed documents, then the state the backup must carry."""
    team_id = client.get("/api/v1/teams").json()["items"][0]["id"]
    settings = {"settings": {"max_members": 7, "require_approval": True}}
    assert client.patch(f"/api/v1/teams/{team_id}", json=settings).status_code == 200
    ids = []
    for name in PDFS:
        response = client.post("/api/v1/documents", files={"file": corpus(name).open("rb")})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    for document_id in ids:
        settle(client, document_id)
    return ids


def test_backup_under_upload_load_restores_identically(server: Server, tmp_path: Path) -> None:
    with server.client() as client:
        processed = prepare_state(client)
    load = UploadLoad(server)
    load.start()
    while len(load.accepted) < 5:
        time.sleep(0.05)
    started = time.monotonic()
    backup = backup_to(tmp_path / "backups", server.data_dir)
    time.sleep(0.5)  # uploads go on after the snapshot: the backup must not need them
    load.stopping.set()
    load.join(timeout=60)
    assert load.failures == []
    assert load.accepted_before(started) and len(load.accepted) > len(load.accepted_before(started))

    folio("backup", "--verify", backup)
    restored_dir = tmp_path / "restored"
    folio("restore", "--from", backup, "--data-dir", restored_dir)
    snapshot = backup / "folio.db"
    assert rows(restored_dir / "folio.db", "SELECT id FROM documents") == rows(
        snapshot, "SELECT id FROM documents"
    )

    restored = Server(restored_dir, **UNLIMITED)
    restored.api_key = server.api_key  # the key's hash came along: the same key works
    restored.start()
    try:
        with restored.client() as after, server.client() as before:
            listed = all_document_ids(after)
            assert load.accepted_before(started) | set(processed) <= listed
            assert listed == {row[0] for row in rows(snapshot, "SELECT id FROM documents")}
            for document_id in processed:
                for path in ("", "/results", "/text"):
                    url = f"/api/v1/documents/{document_id}{path}"
                    assert after.get(url).content == before.get(url).content, url
            for document_id in listed:
                was, now = (
                    before.get(f"/api/v1/documents/{document_id}").json(),
                    after.get(f"/api/v1/documents/{document_id}").json(),
                )
                assert (now["sha256"], now["filename"]) == (was["sha256"], was["filename"])
    finally:
        restored.stop()

    live_db, restored_db = server.data_dir / "folio.db", restored_dir / "folio.db"
    for table, query in ACCOUNTS.items():
        assert rows(restored_db, query) == rows(live_db, query), table
    completed = rows(restored_db, RESULTS)
    assert {row[0] for row in completed} >= set(processed)
    assert set(completed) <= set(rows(live_db, RESULTS))
    # every document's original is back, byte for byte
    for _id, digest, blob_key in rows(restored_db, "SELECT id, sha256, blob_key FROM documents"):
        assert sha256(restored_dir / "blobs" / blob_key) == digest
    assert (restored_dir / "jwt-keys.json").read_bytes() == (
        server.data_dir / "jwt-keys.json"
    ).read_bytes()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["alembic_revision"] and manifest["database"] == "sqlite"
