from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"


class TestUploadDocument:
    async def test_accepts_and_processes_a_text_pdf(self, client: httpx.AsyncClient) -> None:
        path = corpus(TRIVIAL_PDF)
        response = await upload(client, path)

        assert response.status_code == 202
        document = response.json()
        assert document["id"].startswith("doc_")
        assert response.headers["location"] == f"/api/v1/documents/{document['id']}"
        assert document["status_url"] == response.headers["location"]
        assert document["status"] == "queued"
        assert document["mime_type"] == "application/pdf"
        assert document["kind"] == "pdf"
        assert document["size_bytes"] == path.stat().st_size
        assert document["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert [s["name"] for s in document["stages"]] == ["upload", "extraction", "analysis"]
        assert document["stages"][0]["status"] == "completed"

        settled = await wait_settled(client, document["id"])
        assert settled["status"] == "completed", settled["error"]
        assert settled["progress"] == 100
        assert all(stage["status"] == "completed" for stage in settled["stages"])
        assert settled["processing_time_ms"] >= 0
        assert settled["page_count"] == 1
        assert settled["language"] == "la" or settled["word_count"] > 50

    async def test_results_carry_pages_words_boxes_and_metadata(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, corpus(FOUR_PAGES_PDF))
        await wait_settled(client, document["id"])

        response = await client.get(f"/api/v1/documents/{document['id']}/results")

        assert response.status_code == 200
        results = response.json()
        assert results["document_id"] == document["id"]
        assert results["metadata"]["page_count"] == 4
        assert results["metadata"]["producer"] == "pdfTeX-1.40.23"
        assert results["ocr"]["pages_ocr"] == 0
        page = results["pages"][1]
        assert "Is there no information?" in " ".join(page["text"].split())
        word = page["words"][0]
        x0, y0, x1, y1 = word["bbox"]
        assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"]
        assert page["text"][word["start"] : word["end"]] == word["text"]

    async def test_results_without_words(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await wait_settled(client, document["id"])

        response = await client.get(
            f"/api/v1/documents/{document['id']}/results", params={"words": "false"}
        )

        assert response.json()["pages"][0]["words"] is None

    async def test_text_and_original_file(self, client: httpx.AsyncClient) -> None:
        path = corpus(FOUR_PAGES_PDF)
        document = await upload_ok(client, path)
        await wait_settled(client, document["id"])

        text = await client.get(f"/api/v1/documents/{document['id']}/text")
        original = await client.get(f"/api/v1/documents/{document['id']}/file")

        assert text.headers["content-type"].startswith("text/plain")
        assert text.text.count("\f") == 3
        assert original.content == path.read_bytes()
        assert original.headers["content-type"] == "application/pdf"
        assert "pdflatex-4-pages.pdf" in original.headers["content-disposition"]

    async def test_duplicate_upload_is_detected(self, client: httpx.AsyncClient) -> None:
        first = await upload_ok(client, corpus(TRIVIAL_PDF))
        second = await upload_ok(client, corpus(TRIVIAL_PDF), filename="copy.pdf")

        assert first["duplicate_of"] is None
        assert second["duplicate_of"] == first["id"]

    async def test_extension_mismatch_is_recorded(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF), filename="notes.docx")

        assert document["mime_type"] == "application/pdf"
        assert document["extension_mismatch"] is True

    async def test_idempotency_key_returns_the_first_document(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "upload-42"}
        first = await upload(client, corpus(TRIVIAL_PDF), headers=headers)
        retry = await upload(client, corpus(TRIVIAL_PDF), headers=headers)
        listing = await client.get("/api/v1/documents")

        assert first.status_code == retry.status_code == 202
        assert retry.json()["id"] == first.json()["id"]
        assert retry.headers["idempotent-replayed"] == "true"
        assert len(listing.json()["items"]) == 1

    async def test_idempotency_key_reused_for_another_request(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = {"Idempotency-Key": "upload-43"}
        await upload_ok(client, corpus(TRIVIAL_PDF), headers=headers)

        response = await upload(
            client, corpus(TRIVIAL_PDF), headers=headers, options={"ocr": "force"}
        )

        assert_problem(response, 409, "IDEMPOTENCY_KEY_REUSED")


class TestBadInput:
    @pytest.fixture(autouse=True)
    def _files_before(self, client: httpx.AsyncClient) -> None:
        # in scale-out the blob directory is shared by the session: what other tests left
        # there (a killed process's partial write) is not this test's
        _FILES_BEFORE[id(client)] = stored_files(client)

    async def test_empty_file(self, client: httpx.AsyncClient) -> None:
        response = await upload(client, content=b"", filename="empty.pdf")

        body = assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")
        assert body["reason"] == "EMPTY_FILE"
        await assert_nothing_stored(client)

    async def test_unsupported_type(self, client: httpx.AsyncClient) -> None:
        executable = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
        response = await upload(client, content=executable, filename="tool.pdf")

        assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
        await assert_nothing_stored(client)

    @pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 4096}])
    async def test_file_over_the_size_limit(self, client: httpx.AsyncClient) -> None:
        response = await upload(client, content=b"%PDF-1.4\n" + b"0" * 10_000, filename="big.pdf")

        body = assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
        assert "4096" in body["detail"]
        await assert_nothing_stored(client)

    @pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 4096}])
    async def test_chunked_upload_over_the_limit_is_cut_off(
        self, client: httpx.AsyncClient
    ) -> None:
        boundary = "folio-boundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()

        async def body():  # no Content-Length: the server must count while it streams
            yield head
            for _ in range(64):
                yield b"%PDF" + b"0" * 16_380
            yield f"\r\n--{boundary}--\r\n".encode()

        response = await client.post(
            "/api/v1/documents",
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

        assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
        await assert_nothing_stored(client)

    @pytest.mark.parametrize(
        "name", [b"../../etc/passwd.pdf", b"..\\..\\boot.ini", b"report\x00.pdf", b"tab\x07.pdf"]
    )
    async def test_hostile_filename(self, client: httpx.AsyncClient, name: bytes) -> None:
        boundary = "folio-boundary"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
            + name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + corpus(TRIVIAL_PDF).read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )

        response = await client.post(
            "/api/v1/documents",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

        body_json = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body_json["errors"][0]["field"] == "file"
        await assert_nothing_stored(client)

    async def test_folders_in_a_filename_are_dropped(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(
            client, corpus(TRIVIAL_PDF), filename="C:\\Users\\ann\\minimal.pdf"
        )

        assert document["filename"] == "minimal.pdf"

    @pytest.mark.parametrize(
        "options",
        [
            "{not json",
            '{"ocr": "sometimes"}',
            '{"ocr_engine": "easyocr"}',
            '{"colour": 1}',
            '{"language": ["english!"]}',
        ],
    )
    async def test_malformed_options(self, client: httpx.AsyncClient, options: str) -> None:
        response = await upload(client, corpus(TRIVIAL_PDF), options=options)

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"].startswith("options")
        await assert_nothing_stored(client)

    async def test_missing_file_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/documents", data={"options": "{}"})

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_corrupt_pdf_fails_with_a_code(self, client: httpx.AsyncClient) -> None:
        content = corpus(FOUR_PAGES_PDF).read_bytes()
        document = await upload_ok(
            client, content=content[: len(content) // 3], filename="truncated.pdf"
        )

        settled = await wait_settled(client, document["id"])
        results = await client.get(f"/api/v1/documents/{document['id']}/results")

        assert settled["status"] in ("failed", "completed")
        if settled["status"] == "failed":
            assert settled["error"]["code"] == "CORRUPT_DOCUMENT"
            body = assert_problem(results, 422, "UNPROCESSABLE_DOCUMENT")
            assert body["reason"] == "CORRUPT_DOCUMENT"

    async def test_garbage_pdf_fails_with_a_code(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(
            client, content=b"%PDF-1.7\n" + bytes(range(256)) * 40, filename="garbage.pdf"
        )

        settled = await wait_settled(client, document["id"])

        assert settled["status"] == "failed"
        assert settled["error"]["code"] == "CORRUPT_DOCUMENT"
        assert settled["error"]["retryable"] is False


_FILES_BEFORE: dict[int, set[Path]] = {}


def stored_files(client: httpx.AsyncClient) -> set[Path]:
    runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
    return {p for p in Path(runtime.storage.root).rglob("*") if p.is_file()}


async def assert_nothing_stored(client: httpx.AsyncClient) -> None:
    listing = await client.get("/api/v1/documents")
    assert listing.json()["items"] == []
    assert stored_files(client) - _FILES_BEFORE.get(id(client), set()) == set()


class TestEncryptedPdf:
    PATH = "pypdf_sample_files/005-libreoffice-writer-password/libreoffice-writer-password.pdf"

    async def test_without_password(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(self.PATH))

        settled = await wait_settled(client, document["id"])

        assert settled["status"] == "failed"
        assert settled["error"]["code"] == "PASSWORD_REQUIRED"

    async def test_with_wrong_password(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(self.PATH), options={"password": "nope"})

        settled = await wait_settled(client, document["id"])

        assert settled["error"]["code"] == "WRONG_PASSWORD"

    async def test_with_right_password(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(self.PATH), options={"password": "openpassword"})

        settled = await wait_settled(client, document["id"])
        results = (await client.get(f"/api/v1/documents/{document['id']}/results")).json()

        assert settled["status"] == "completed"
        assert "password" not in settled["options"]
        assert results["metadata"]["encrypted"] is True
        assert results["metadata"]["word_count"] > 0
