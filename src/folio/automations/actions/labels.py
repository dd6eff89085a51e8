"""add_tags, remove_tags, set_field: through folio.tags, as a person's change would be."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.base import Action, ActionContext
from folio.core.errors import FieldError, ValidationFailed
from folio.tags.service import label as label_service

TagNames = list[Annotated[str, Field(min_length=1, max_length=50)]]


class AddTags(Action):
    kind: Literal["add_tags"]
    tags: TagNames = Field(min_length=1, max_length=20)

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        missing = await label_service.missing_tags(session, team_id, self.tags)
        return [FieldError(f"{path}.tags", "unknown_tag", f"No tag {name!r}.") for name in missing]

    def preview(self) -> str:
        return f"add tags {', '.join(self.tags)}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        changed = await label_service.tag_by_names(
            context.session, context.runtime, context.document, self.tags, add=True
        )
        return {"added": changed}


class RemoveTags(AddTags):
    kind: Literal["remove_tags"]  # type: ignore[assignment]

    def preview(self) -> str:
        return f"remove tags {', '.join(self.tags)}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        changed = await label_service.tag_by_names(
            context.session, context.runtime, context.document, self.tags, add=False
        )
        return {"removed": changed}


class SetField(Action):
    kind: Literal["set_field"]
    name: str = Field(min_length=1, max_length=50)
    value: JsonValue

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        try:
            await label_service.check_value(session, team_id, self.name, self.value, f"{path}")
        except ValidationFailed as failed:
            return failed.errors
        return []

    def preview(self) -> str:
        return f"set {self.name} to {self.value!r}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        await label_service.put_by_name(
            context.session, context.document, self.name, self.value, path="value"
        )
        return {"field": self.name, "value": context.document.custom_fields.get(self.name)}
