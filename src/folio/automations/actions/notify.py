"""notify: an in-app notification to the team's members (and the e-mail each one's
preferences ask for), through folio.notifications like any other event's."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from folio.automations.actions.base import Action, ActionContext
from folio.core.events import Event
from folio.events.catalog import AUTOMATION_NOTIFICATION
from folio.events.service import event as event_service


class Notify(Action):
    kind: Literal["notify"]
    title: str = Field(min_length=1, max_length=200)
    message: str = Field(default="", max_length=2000)
    needs_document: ClassVar[bool] = False

    def preview(self) -> str:
        return f"notify the team: {self.title}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        event = Event(
            type=AUTOMATION_NOTIFICATION,
            team_id=context.team_id,
            data={
                "rule_id": context.rule_id,
                "run_id": context.run_id,
                "document_id": document.id if document else None,
                "filename": document.filename if document else None,
                "title": self.title,
                "message": self.message,
            },
        )
        await event_service.emit(context.session, context.runtime, event)
        return {"event_id": event.id}
