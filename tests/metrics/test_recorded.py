"""Metrics recorded outside requests: OCR per page in the worker process, webhook deliveries
by outcome, the event bus's lag at the real-time hub."""

from __future__ import annotations

import asyncio
import io

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import SCALEOUT
from tests.helpers import upload_ok, wait_settled
from tests.metrics.scrape import BEARER, TOKEN, scrape, value
from tests.webhooks.conftest import Receiver, receiver  # noqa: F401 - the receiver fixture


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "metrics_token": TOKEN,
        "webhook_allowed_hosts": ["127.0.0.1"],
        "webhook_poll_s": 0.1,
        "webhook_retry_base_s": 0.05,
        "webhook_retry_max_s": 0.2,
    }


def text_image() -> bytes:
    image = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(image).text((20, 40), "INVOICE 2026", fill=0, font=ImageFont.load_default(64))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.skipif(SCALEOUT, reason="Celery workers write to their own host's directory")
class TestOcr:
    async def test_an_ocr_page_is_timed_by_engine(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        before = await scrape(anonymous_client, headers=BEARER)
        document = await upload_ok(
            client, content=text_image(), filename="scan.png", content_type="image/png"
        )
        assert (await wait_settled(client, document["id"]))["status"] == "completed"
        after = await scrape(anonymous_client, headers=BEARER)

        def grew(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        assert grew("folio_ocr_page_seconds_count", engine="auto") == 1
        assert grew("folio_ocr_page_seconds_sum", engine="auto") > 0
        assert grew("folio_pages_processed_total", kind="image", source="ocr") == 1
        labels = {"status": "completed", "kind": "image", "engine": "auto"}
        assert grew("folio_documents_processed_total", **labels) == 1
        assert grew("folio_event_bus_lag_seconds_count") >= 1  # the document's events


class TestWebhooks:
    async def test_deliveries_by_outcome(
        self,
        client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        receiver: Receiver,  # noqa: F811 - the fixture imported above
    ) -> None:
        receiver.script = [500]  # the first attempt fails, the retry succeeds
        response = await client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "event_types": ["document.uploaded"]}
        )
        assert response.status_code == 201, response.text
        before = await scrape(anonymous_client, headers=BEARER)

        await upload_ok(client, content=b"hello metrics", filename="m.txt")
        async with asyncio.timeout(30):
            while len(receiver.requests) < 2:  # noqa: ASYNC110 - a thread's list, no event
                await asyncio.sleep(0.1)
            name = "folio_webhook_deliveries_total"
            while True:
                after = await scrape(anonymous_client, headers=BEARER)
                if value(after, name, outcome="succeeded") > value(
                    before, name, outcome="succeeded"
                ):
                    break
                await asyncio.sleep(0.1)

        for outcome in ("retrying", "succeeded"):
            grown = value(after, name, outcome=outcome) - value(before, name, outcome=outcome)
            assert grown == 1, outcome
        assert value(after, name, outcome="failed") == value(before, name, outcome="failed")
