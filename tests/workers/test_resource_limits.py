"""Per-job memory limit of the pipeline workers (RLIMIT_AS) and bombs through the real pool
(issue 25 item 12)."""

from __future__ import annotations

import httpx
import pytest

from tests.bombs import docx_bomb, nested_html
from tests.helpers import upload_ok, wait_settled


class TestMemoryLimit:
    @pytest.mark.parametrize(
        # a loose unpack cap lets the bomb reach the parser: only the memory limit stops it
        "settings_overrides",
        [{"worker_memory_limit_mb": 450, "max_unpacked_ratio": 1e6, "job_max_attempts": 1}],
    )
    async def test_a_document_over_the_limit_fails_and_the_next_succeeds(
        self, client: httpx.AsyncClient
    ) -> None:
        bomb = await upload_ok(client, content=docx_bomb(), filename="bomb.docx")
        good = await upload_ok(client, content=b"an ordinary note", filename="note.txt")

        failed = await wait_settled(client, bomb["id"])
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "RESOURCE_LIMIT"
        assert failed["error"]["retryable"] is False
        assert (await wait_settled(client, good["id"]))["status"] == "completed"


class TestBombsThroughThePool:
    async def test_each_bomb_fails_only_itself(self, client: httpx.AsyncClient) -> None:
        docx = await upload_ok(client, content=docx_bomb(), filename="bomb.docx")
        html = await upload_ok(client, content=nested_html(), filename="deep.html")
        good = await upload_ok(client, content=b"an ordinary note", filename="note.txt")

        assert (await wait_settled(client, docx["id"]))["error"]["code"] == "DOCUMENT_TOO_LARGE"
        assert (await wait_settled(client, html["id"]))["error"]["code"] == "RESOURCE_LIMIT"
        assert (await wait_settled(client, good["id"]))["status"] == "completed"
