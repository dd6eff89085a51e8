from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    documents_read = "documents:read"
    documents_write = "documents:write"
    documents_delete = "documents:delete"
    analytics_read = "analytics:read"
    audit_read = "audit:read"
    keys_manage = "keys:manage"
    team_manage = "team:manage"
    webhooks_manage = "webhooks:manage"
    system_admin = "system:admin"
