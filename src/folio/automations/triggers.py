"""Triggers: which events start a rule. Some narrow an event (a classified document is a
processed one with a type; PII found is a processed one with a PII report), checked when the
run executes; a schedule is a cron expression in a time zone, its slots made by the
scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from folio.automations.conditions import RISK_ORDER
from folio.automations.facts import Facts

SCHEDULE = "schedule"


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def wants(self, data: dict[str, object]) -> bool:
        """Whether the event's own data is what the trigger means (checked before a run is
        made; what needs the document waits for the run: :meth:`narrows`)."""
        return True

    def narrows(self, facts: Facts | None, data: dict[str, object]) -> bool:
        """Whether this event (and its document) is one the trigger means."""
        return self.wants(data)


class OnEvent(Trigger):
    type: Literal["document.uploaded", "document.processed", "document.failed", "batch.completed"]


class OnExtraction(Trigger):
    type: Literal["extraction.completed", "validation.failed"]
    template: str | None = Field(default=None, max_length=100, description="Only this template")

    def wants(self, data: dict[str, object]) -> bool:
        return self.template is None or data.get("template_name") == self.template


class OnClassified(Trigger):
    type: Literal["document.classified"]
    document_types: list[Annotated[str, Field(max_length=50)]] = Field(
        default_factory=list, max_length=50, description="Empty: any type"
    )

    def narrows(self, facts: Facts | None, data: dict[str, object]) -> bool:
        if facts is None or facts.document_type is None:
            return False
        return not self.document_types or facts.document_type in self.document_types


class OnPiiFound(Trigger):
    type: Literal["document.pii_found"]
    types: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=50)
    at_least: Literal["low", "medium", "high", "critical"] = "low"

    def narrows(self, facts: Facts | None, data: dict[str, object]) -> bool:
        if facts is None or RISK_ORDER.get(facts.pii_risk or "none", 0) < RISK_ORDER[self.at_least]:
            return False
        return not self.types or bool(facts.pii_types & set(self.types))


class OnTagged(Trigger):
    type: Literal["document.tagged"]
    tag: str | None = Field(default=None, max_length=50, description="Only this tag")

    def wants(self, data: dict[str, object]) -> bool:
        return self.tag is None or data.get("tag") == self.tag


class OnSchedule(Trigger):
    type: Literal["schedule"]
    cron: str = Field(max_length=100, examples=["0 7 * * 1-5"])
    timezone: str = Field(default="UTC", max_length=60, examples=["Europe/Paris"])
    max_documents: int = Field(
        default=500, ge=1, le=5000, description="Newest documents a slot looks at"
    )

    @field_validator("cron")
    @classmethod
    def valid_cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError("must be a cron expression of five fields, e.g. '0 7 * * 1-5'")
        return value

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone, e.g. Europe/Paris") from exc
        return value

    def next_slot(self, after: datetime) -> datetime:
        local = after.astimezone(ZoneInfo(self.timezone))
        slot: datetime = croniter(self.cron, local).get_next(datetime)
        return slot.astimezone(after.tzinfo)


AnyTrigger = Annotated[
    OnEvent | OnExtraction | OnClassified | OnPiiFound | OnTagged | OnSchedule,
    Field(discriminator="type"),
]
# the event each trigger type listens to
EVENT_OF_TRIGGER = {
    "document.uploaded": "document.uploaded",
    "document.processed": "document.processed",
    "document.failed": "document.failed",
    "batch.completed": "batch.completed",
    "document.classified": "document.processed",
    "document.pii_found": "document.processed",
    "document.tagged": "document.tagged",
    "extraction.completed": "extraction.completed",
    "validation.failed": "validation.failed",
}
TRIGGERS_OF_EVENT: dict[str, list[str]] = {}
for _trigger, _event in EVENT_OF_TRIGGER.items():
    TRIGGERS_OF_EVENT.setdefault(_event, []).append(_trigger)
