"""The action registry: one small module per kind; ``AnyAction`` is their union, told apart by
``kind``. A new kind (e.g. ``require_approval`` starting a folio.workflows instance) is one
module with an :class:`Action` subclass, added to the union below."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from folio.automations.actions.approval import RequireApproval
from folio.automations.actions.base import CAUSE, Action, ActionContext, ActionFailed
from folio.automations.actions.expire import DeleteAfter
from folio.automations.actions.extract import RunValidation
from folio.automations.actions.extraction import ApplyTemplate
from folio.automations.actions.labels import AddTags, RemoveTags, SetField
from folio.automations.actions.notify import Notify
from folio.automations.actions.organize import Classify, MoveToBatch
from folio.automations.actions.protect import Redact, Share
from folio.automations.actions.webhook import CallWebhook

AnyAction = Annotated[
    AddTags
    | RemoveTags
    | SetField
    | Notify
    | CallWebhook
    | RequireApproval
    | ApplyTemplate
    | RunValidation
    | Redact
    | Classify
    | MoveToBatch
    | Share
    | DeleteAfter,
    Field(discriminator="kind"),
]

__all__ = ["CAUSE", "Action", "ActionContext", "ActionFailed", "AnyAction"]
