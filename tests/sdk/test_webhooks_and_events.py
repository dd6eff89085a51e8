"""A real signed delivery verified with ``verify_webhook``; the WebSocket event iterator."""

from __future__ import annotations

import asyncio
import json

import pytest
from folio_client import AsyncFolio, WebhookVerificationError, verify_webhook
from folio_client.models import EventRead

from tests.factories import Account
from tests.webhooks.conftest import Receiver


async def test_verify_webhook_accepts_a_real_delivery_and_nothing_else(
    base_url: str, admin: Account, receiver: Receiver
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        webhook = await folio.webhooks.create(receiver.url, event_types=["webhook.test"])
        outcome = await folio.webhooks.test(webhook.id)
        listed = [w.id async for w in folio.webhooks.list()]
    assert outcome.ok and listed == [webhook.id]
    delivery = receiver.requests[-1]

    event = verify_webhook(delivery.headers, delivery.body, webhook.secret)

    assert event.type == "webhook.test" and event.id.startswith("evt_")
    assert event.team_id == admin.team_id
    tampered = json.dumps({**json.loads(delivery.body), "team_id": "team_other"}).encode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.headers, tampered, webhook.secret)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery.headers, delivery.body, "whsec_" + "QUJD" * 8)
    with pytest.raises(WebhookVerificationError):  # a replay, an hour later
        now = int(delivery.headers["webhook-timestamp"]) + 3600
        verify_webhook(delivery.headers, delivery.body, webhook.secret, now=now)


async def test_the_event_stream_receives_the_processed_event_and_replays(
    base_url: str, admin: Account
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        stream = folio.events.stream()
        first = asyncio.ensure_future(anext(stream))  # connected and subscribed before the upload
        await asyncio.sleep(1)
        document = await folio.documents.upload(b"events\n", filename="e.txt")
        seen = [await first]
        async with asyncio.timeout(60):
            while seen[-1].type != "document.processed":
                seen.append(await anext(stream))
        await stream.aclose()  # type: ignore[attr-defined]

        # a new stream from our first event's id gets the stored events after it, replayed
        # (in id order, which need not be the order they were published live)
        ours = [e for e in seen if e.data.get("document_id") == document.id]
        replay = folio.events.stream(last_event_id=ours[0].id)
        wanted = {e.id for e in ours[1:]}
        replayed: set[str] = set()
        async with asyncio.timeout(30):
            while not wanted <= replayed:
                replayed.add((await anext(replay)).id)
        await replay.aclose()  # type: ignore[attr-defined]

    assert ours[-1].type == "document.processed" and len(ours) >= 2
    assert all(isinstance(e, EventRead) for e in seen)
    assert ours[0].id not in replayed
