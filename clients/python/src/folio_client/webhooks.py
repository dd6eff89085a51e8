"""Verify a webhook delivery in a receiver: Folio signs per the Standard Webhooks spec
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256>``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from folio_client.models import EventRead

TOLERANCE_S = 300  # a delivery older (or newer) than this is refused as a possible replay


class WebhookVerificationError(ValueError):
    """The delivery is not signed by the holder of the secret, or is too old."""


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = {key.lower(): value for key, value in headers.items()}
    value = lowered.get(name)
    if not value:
        raise WebhookVerificationError(f"missing header {name}")
    return value


def _secret_bytes(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as error:
        raise ValueError("the secret is not a whsec_… webhook secret") from error


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes | str,
    secret: str,
    *,
    tolerance: float = TOLERANCE_S,
    now: float | None = None,
) -> EventRead:
    """The event of a delivery whose signature is valid; ``WebhookVerificationError`` otherwise.

    ``body`` must be the raw request body, byte for byte; ``secret`` is the ``whsec_…`` value
    that creating the webhook returned. Several signatures (during a secret rotation) are
    accepted if any one matches.
    """
    raw = body.encode() if isinstance(body, str) else body
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise WebhookVerificationError("webhook-timestamp is not a number") from error
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    signed = f"{message_id}.{timestamp}.".encode() + raw
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            payload: Any = json.loads(raw)
            return EventRead.model_validate(payload)
    raise WebhookVerificationError("no valid signature")
