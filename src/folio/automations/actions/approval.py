"""require_approval: starts a folio.workflows workflow on the document (review and approval
steps assigned to people), so a rule can route a document to a human."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.base import Action, ActionContext
from folio.core.errors import FieldError
from folio.workflows.repository import TemplateRepository
from folio.workflows.service import WorkflowRunning
from folio.workflows.service import workflow as workflow_service


class RequireApproval(Action):
    kind: Literal["require_approval"]
    workflow_id: str = Field(min_length=1, max_length=40)

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        template = await TemplateRepository.from_session(session).of_team(team_id, self.workflow_id)
        if template is None:
            return [
                FieldError(
                    f"{path}.workflow_id", "unknown_workflow", f"No workflow {self.workflow_id}."
                )
            ]
        return []

    def preview(self) -> str:
        return f"start workflow {self.workflow_id} for approval"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        try:
            instance = await workflow_service.start(
                context.session,
                context.runtime,
                team_id=context.team_id,
                template_id=self.workflow_id,
                document_id=context.document.id,
                actor_user_id=None,
            )
        except WorkflowRunning as running:
            # an approval already under way is what the rule asks for: nothing to start twice
            return {"instance_id": running.extra.get("instance_id"), "already_running": True}
        return {"instance_id": instance.id, "state": str(instance.state)}
