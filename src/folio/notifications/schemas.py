from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from folio.core.schemas import Schema


class Category(StrEnum):
    documents = "documents"  # a document failed
    batches = "batches"  # a batch finished
    team = "team"  # members joined, left, changed role
    system = "system"
    workflows = "workflows"  # workflow tasks assigned, due, acted on; instances ended


class DigestFrequency(StrEnum):
    none = "none"  # one e-mail per notification (when e-mail is on)
    daily = "daily"
    weekly = "weekly"


DEFAULT_CATEGORIES = [
    Category.documents,
    Category.batches,
    Category.team,
    Category.system,
    Category.workflows,
]

# what there was before preferences recorded the categories their owner had seen
KNOWN_BEFORE_TRACKING = frozenset(
    {Category.documents, Category.batches, Category.team, Category.system}
)


class NotificationRead(Schema):
    id: str
    team_id: str
    category: str
    title: str
    body: str
    event_id: str
    data: dict[str, Any]
    read: bool
    read_at: datetime | None
    created_at: datetime


class PreferencesRead(Schema):
    email_enabled: bool
    categories: list[Category]
    digest_frequency: DigestFrequency


class PreferencesUpdate(Schema):
    email_enabled: bool | None = None
    categories: list[Category] | None = Field(default=None, max_length=10)
    digest_frequency: DigestFrequency | None = None


class ReadAllResult(Schema):
    marked_read: int
