"""Pure rules: where a person (an e-mail address, a name) appears in a document's stored
results, and masking them out with the text's length kept (offsets stay valid)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MASK = "█"
NAME_TYPES = {"person", "name", "per"}
EMAIL_TYPES = {"email", "email_address"}


@dataclass(frozen=True)
class Person:
    email: str | None
    name: str | None

    def name_pattern(self) -> re.Pattern[str] | None:
        if not self.name:
            return None
        words = [re.escape(word) for word in self.name.split()]
        return re.compile(r"\b" + r"\s+".join(words) + r"\b", re.IGNORECASE)

    def patterns(self) -> list[re.Pattern[str]]:
        email = re.compile(re.escape(self.email), re.IGNORECASE) if self.email else None
        return [pattern for pattern in (email, self.name_pattern()) if pattern is not None]

    def matches_entity(self, entity: dict[str, Any]) -> bool:
        kind = str(entity.get("type", "")).lower()
        values = [str(entity.get("text") or ""), str(entity.get("normalized") or "")]
        if self.email and kind in EMAIL_TYPES:
            return any(value.strip().lower() == self.email.lower() for value in values)
        name = self.name_pattern()
        if name is not None and kind in NAME_TYPES:
            return any(name.search(value) for value in values)
        return False


def entity_findings(person: Person, intelligence: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Where the analysis named the person: entity and PII lists, by type and page."""
    if not intelligence:
        return []
    found = []
    pii = intelligence.get("pii") or {}
    for where, entities in (
        ("entities", intelligence.get("entities")),
        ("pii", pii.get("entities")),
    ):
        for entity in entities or []:
            if isinstance(entity, dict) and person.matches_entity(entity):
                found.append(
                    {"where": where, "type": entity.get("type"), "page": entity.get("page")}
                )
    return found


def mask(text: str, patterns: list[re.Pattern[str]]) -> tuple[str, int]:
    count = 0
    for pattern in patterns:
        text, replaced = pattern.subn(lambda m: MASK * len(m.group(0)), text)
        count += replaced
    return text, count


def mask_json(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    """A copy of ``value`` with every string masked."""
    if isinstance(value, str):
        return mask(value, patterns)[0]
    if isinstance(value, list):
        return [mask_json(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: mask_json(item, patterns) for key, item in value.items()}
    return value


def mask_words(words: list[list[Any]], text: str) -> list[list[Any]]:
    """Word rows ``[text, x0, y0, x1, y1, start, end, confidence]``: a word whose span the
    masked page text covers with the mask is masked too."""
    masked = []
    for row in words:
        start, end = row[5], row[6]
        if isinstance(start, int) and isinstance(end, int) and MASK in text[start:end]:
            row = [MASK * len(str(row[0])), *row[1:]]
        masked.append(row)
    return masked
