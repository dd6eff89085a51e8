"""Documents and batches through the SDK, sync and async, against a real server."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from folio_client import AsyncFolio, Folio, NotFoundError

from tests.conftest import corpus
from tests.factories import Account

TEXT_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"


async def test_upload_a_path_wait_and_read_everything(
    base_url: str, admin: Account, tmp_path: Path
) -> None:
    source = corpus(TEXT_PDF)
    progress: list[tuple[int, int]] = []
    sent_keys: list[str | None] = []

    def record(request: httpx.Request) -> None:
        if request.method == "POST":
            sent_keys.append(request.headers.get("idempotency-key"))

    def scenario() -> None:
        http = httpx.Client(timeout=60, event_hooks={"request": [record]})
        with Folio(base_url, api_key=admin.api_key, http=http) as folio:
            accepted = folio.documents.upload(source, progress=lambda s, t: progress.append((s, t)))
            assert accepted.status in {"queued", "processing", "completed"}
            document = folio.documents.wait(accepted.id, timeout=120)
            assert document.status == "completed", document.error
            assert document.page_count == 4
            results = folio.documents.results(document.id)
            assert len(results.pages) == 4
            text = folio.documents.text(document.id)
            assert text.count("\f") == 3 and len(text) > 100
            markdown = folio.documents.markdown(document.id)
            assert "Is there no information?" in markdown and "\f" not in markdown
            chunks = folio.documents.chunks(document.id, max_tokens=100, overlap=10)
            assert chunks.max_tokens == 100 and all(c.tokens <= 100 for c in chunks.chunks)
            assert {page for c in chunks.chunks for page in c.pages} == {1, 2, 3, 4}
            written = folio.documents.download(document.id, tmp_path / "copy.pdf")
            assert written == source.stat().st_size
            assert (tmp_path / "copy.pdf").read_bytes() == source.read_bytes()

    await asyncio.to_thread(scenario)

    size = source.stat().st_size
    assert progress[-1] == (size, size)  # every byte reported, in rising order
    assert [sent for sent, _ in progress] == sorted(sent for sent, _ in progress)
    assert len(sent_keys) == 1 and sent_keys[0]  # the upload carried an Idempotency-Key


async def test_async_upload_of_a_stream_and_long_poll(base_url: str, admin: Account) -> None:
    stream = io.BytesIO(b"skip-me" + b"Folio reads streams.\n")
    stream.seek(len(b"skip-me"))  # uploads from where the stream stands
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        accepted = await folio.documents.upload(stream, filename="note.txt")
        document = await folio.documents.wait(accepted.id, timeout=120)
        text = await folio.documents.text(document.id)
        markdown = await folio.documents.markdown(document.id)
        chunks = await folio.documents.chunks(document.id, max_tokens=32)
    assert markdown == "Folio reads streams.\n"
    assert [chunk.text for chunk in chunks.chunks] == ["Folio reads streams."]
    assert document.status == "completed"
    assert document.size_bytes == len(b"Folio reads streams.\n")
    assert "Folio reads streams." in text


async def test_a_folder_batch_with_progress_and_results_as_they_finish(
    base_url: str, admin: Account, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for number in range(3):
        (folder / f"note-{number}.txt").write_text(f"note number {number}\n")
    (folder / "skip.bin").write_bytes(b"\0")
    progress: list[tuple[int, int]] = []

    def scenario() -> tuple[list[str], list[str]]:
        with Folio(base_url, api_key=admin.api_key) as folio:
            batch = folio.batches.upload_folder(
                folder, pattern="*.txt", progress=lambda s, t: progress.append((s, t))
            )
            assert batch.name == "inbox" and not batch.rejected
            finished = list(folio.batches.iter_results(batch.id, timeout=120, poll=0.2))
            return [d.filename for d in batch.documents], [d.status for d in finished]

    names, statuses = await asyncio.to_thread(scenario)

    assert names == ["note-0.txt", "note-1.txt", "note-2.txt"]
    assert statuses == ["completed"] * 3
    total = sum(p.stat().st_size for p in folder.glob("*.txt"))
    assert progress[-1] == (total, total)


async def test_pagination_walks_every_page_and_a_retried_upload_counts_once(
    base_url: str, admin: Account
) -> None:
    pages: list[str | None] = []

    async def record(request: httpx.Request) -> None:
        if request.method == "GET" and request.url.path == "/api/v1/documents":
            pages.append(request.url.params.get("cursor"))

    http = httpx.AsyncClient(timeout=60, event_hooks={"request": [record]})
    async with AsyncFolio(base_url, api_key=admin.api_key, http=http) as folio:
        uploaded = {
            (await folio.documents.upload(f"doc {n}\n".encode(), filename=f"{n}.txt")).id
            for n in range(4)
        }
        first = await folio.documents.upload(b"once\n", filename="a.txt", idempotency_key="k-1")
        again = await folio.documents.upload(b"once\n", filename="a.txt", idempotency_key="k-1")
        listed = [document.id async for document in folio.documents.list(limit=2)]

    assert again.id == first.id  # the same key: the first upload's answer, no new document
    assert sorted(listed) == sorted({*uploaded, first.id})  # each once, none lost between pages
    assert len(pages) == 3 and pages[0] is None and all(pages[1:])


async def test_another_team_cannot_read_the_document(
    base_url: str, admin: Account, second_account: Account
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        document = await folio.documents.upload(b"private\n", filename="p.txt")

    async with AsyncFolio(base_url, api_key=second_account.api_key) as other:
        with pytest.raises(NotFoundError):
            await other.documents.get(document.id)
        assert [d.id async for d in other.documents.list()] == []

    def read_as_other() -> None:
        with Folio(base_url, api_key=second_account.api_key) as other, pytest.raises(NotFoundError):
            other.documents.text(document.id)

    await asyncio.to_thread(read_as_other)
