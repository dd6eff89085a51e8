"""delete_after: the document is deleted N days from the run, by the retention purge (which
keeps what a legal hold holds and logs what it deletes). A later run never postpones an
earlier date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field

from folio.automations.actions.base import Action, ActionContext
from folio.core.db import utcnow


class DeleteAfter(Action):
    kind: Literal["delete_after"]
    days: int = Field(ge=1, le=36500, description="Days from the run until the purge deletes it")

    def preview(self) -> str:
        return f"delete the document after {self.days} days"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        wanted = utcnow() + timedelta(days=self.days)
        if document.delete_after is None or wanted < document.delete_after:
            document.delete_after = wanted
        return {"delete_after": document.delete_after.isoformat()}
