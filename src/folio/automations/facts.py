"""What rules look at: a document's facts, read once per evaluation. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    document_id: str
    filename: str
    mime_type: str
    size_bytes: int
    page_count: int | None
    document_type: str | None
    confidence: float | None
    tags: frozenset[str]
    custom_fields: dict[str, Any]
    entities: tuple[tuple[str, str, str | None], ...]  # (type, text, normalized)
    pii_risk: str | None
    pii_types: frozenset[str]
    extracted: dict[str, Any]  # the latest extraction's values by field name
    source: str  # "batch" or "upload"
    batch_id: str | None
    status: str
    extras: dict[str, Any] = field(default_factory=dict)
    uploaded_by_user_id: str | None = None
    uploaded_by_key_id: str | None = None


def facts_of(document: Any, extracted: dict[str, Any] | None = None) -> Facts:
    """From a ``Document`` (its ``intelligence`` JSON as the pipeline stored it)."""
    intelligence = document.intelligence or {}
    classification = intelligence.get("classification") or {}
    pii = intelligence.get("pii") or {}
    entities = tuple(
        (str(e.get("type")), str(e.get("text", "")), e.get("normalized"))
        for e in intelligence.get("entities") or []
    )
    return Facts(
        document_id=document.id,
        filename=document.filename,
        mime_type=document.mime_type,
        size_bytes=document.size_bytes,
        page_count=document.page_count,
        document_type=document.document_type,
        confidence=classification.get("confidence"),
        tags=frozenset(document.tags or ()),
        custom_fields=dict(document.custom_fields or {}),
        entities=entities,
        pii_risk=pii.get("risk_level"),
        pii_types=frozenset(pii.get("types") or ()),
        extracted=dict(extracted or {}),
        source="batch" if document.batch_id else "upload",
        batch_id=document.batch_id,
        status=str(document.status),
        uploaded_by_user_id=getattr(document, "uploaded_by_user_id", None),
        uploaded_by_key_id=getattr(document, "uploaded_by_key_id", None),
    )
