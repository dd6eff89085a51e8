"""call_webhook: POST the document's summary to one of the team's webhook endpoints, signed
with its secret through the guarded outbound transport (folio.webhooks.sender). The message
id is the run's step, so a receiver can drop the repeat a retry after a crash may send."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.base import Action, ActionContext, ActionFailed
from folio.core.errors import FieldError
from folio.webhooks.repository import WebhookRepository
from folio.webhooks.sender import guarded_client, send


class CallWebhook(Action):
    kind: Literal["call_webhook"]
    webhook_id: str = Field(max_length=40, description="A webhook endpoint of the team")
    needs_document: ClassVar[bool] = False
    outbound: ClassVar[bool] = True

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        endpoint = await WebhookRepository.from_session(session).endpoint(self.webhook_id)
        if endpoint is None or endpoint.team_id != team_id:
            return [FieldError(f"{path}.webhook_id", "not_found", "No such webhook endpoint.")]
        return []

    def preview(self) -> str:
        return f"call webhook {self.webhook_id}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        endpoint = await WebhookRepository.from_session(context.session).endpoint(self.webhook_id)
        if endpoint is None or endpoint.team_id != context.team_id or not endpoint.is_active:
            raise ActionFailed("the webhook endpoint is gone or disabled")
        document = context.document
        payload = {
            "type": "automation.action",
            "team_id": context.team_id,
            "data": {
                "rule_id": context.rule_id,
                "run_id": context.run_id,
                "document": None
                if document is None
                else {
                    "id": document.id,
                    "filename": document.filename,
                    "document_type": document.document_type,
                    "tags": document.tags,
                    "custom_fields": document.custom_fields,
                },
            },
        }
        settings = context.runtime.settings
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        async with guarded_client(
            settings.webhook_allowed_hosts, settings.webhook_timeout_s
        ) as client:
            result = await send(
                client,
                endpoint.url,
                secret=endpoint.secret,
                message_id=f"{context.run_id}.{context.step}",
                body=body,
                allowed=settings.webhook_allowed_hosts,
                max_redirects=settings.webhook_max_redirects,
            )
        if not result.ok:
            raise ActionFailed(result.error or f"the receiver answered {result.status_code}")
        return {"status_code": result.status_code, "latency_ms": result.latency_ms}
