"""What every action kind has: a typed schema (extra fields refused), a check against the
team's data when a rule is saved, a plain-words preview for a dry run, and ``run``."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError
from folio.core.runtime import Runtime
from folio.documents.models import Document

# the rules whose actions are running in this task, oldest first: events emitted meanwhile
# carry it to the runs they start (loop protection)
CAUSE: ContextVar[tuple[str, ...]] = ContextVar("folio_automation_cause", default=())


@dataclass
class ActionContext:
    session: AsyncSession
    runtime: Runtime
    team_id: str
    rule_id: str
    run_id: str
    step: int
    document: Document | None
    acting_user_id: str | None = None  # the rule's author, named on what the action makes


class ActionFailed(Exception):
    """The action could not be done; the run retries it later."""


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    needs_document: ClassVar[bool] = True
    # calls out of Folio: run with no write transaction open, recorded after (at least once)
    outbound: ClassVar[bool] = False

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        """Problems with the team's data (a tag or field that does not exist …)."""
        return []

    def preview(self) -> str:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    async def run(self, context: ActionContext) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError
