"""``Idempotency-Key``: a retried POST returns the resource the first one created."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict, FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.idempotency.models import IdempotencyRecord
from folio.idempotency.repository import IdempotencyRepository

MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    title = "The Idempotency-Key was used for a different request"


def fingerprint(parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyService:
    async def replayed_resource(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        scope: str,
        key: str,
        request_fingerprint: str,
    ) -> str | None:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed(
                [FieldError("Idempotency-Key", "invalid", f"1 to {MAX_KEY_LENGTH} characters.")]
            )
        record = await IdempotencyRepository.from_session(session).find(principal, scope, key)
        if record is None:
            return None
        if record.fingerprint != request_fingerprint:
            raise IdempotencyKeyReused("This Idempotency-Key was sent with a different request.")
        return record.resource_id

    async def remember(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        scope: str,
        key: str,
        request_fingerprint: str,
        resource_id: str,
    ) -> None:
        try:
            async with session.begin_nested():
                await IdempotencyRepository.from_session(session).add(
                    IdempotencyRecord(
                        team_id=principal.team_id,
                        scope=scope,
                        key=key,
                        fingerprint=request_fingerprint,
                        resource_id=resource_id,
                    )
                )
        except IntegrityError as exc:
            raise Conflict("A request with this Idempotency-Key is already in progress.") from exc


idempotency = IdempotencyService()
