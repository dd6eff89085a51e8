"""Who an action acts as when it calls a service written for requests: the rule's own team
and nothing else, with only the permissions that service checks."""

from __future__ import annotations

from folio.automations.actions.base import ActionFailed
from folio.core.errors import FieldError
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.documents.models import Document, DocumentStatus


def acting_for(team_id: str, *permissions: Permission) -> Principal:
    return Principal(
        team_id=team_id, team_ids=frozenset({team_id}), permissions=frozenset(permissions)
    )


def require_processed(document: Document) -> None:
    """Results are needed: a document still in the pipeline is retried later (with backoff);
    one that failed or was cancelled has none to wait for."""
    if document.status in (DocumentStatus.queued, DocumentStatus.processing):
        raise ActionFailed(f"document {document.id} is still {document.status}; retried later")
    if document.version == 0:
        raise ActionFailed(f"document {document.id} has no results ({document.status})")


def unknown(path: str, code: str, message: str) -> list[FieldError]:
    return [FieldError(path, code, message)]
