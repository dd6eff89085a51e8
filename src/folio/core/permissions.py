from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    documents_read = "documents:read"
    documents_write = "documents:write"
    documents_delete = "documents:delete"
    documents_prioritize = "documents:prioritize"  # process at priority high, ahead of others
    analytics_read = "analytics:read"
    audit_read = "audit:read"
    keys_manage = "keys:manage"
    team_manage = "team:manage"
    webhooks_manage = "webhooks:manage"
    datasets_read = "datasets:read"  # image projects, crawls, images, exports, credits
    datasets_write = "datasets:write"
    system_admin = "system:admin"
    workflows_read = "workflows:read"  # templates, instances, tasks
    workflows_write = "workflows:write"  # templates, start, comment, act on own tasks
    tags_manage = "tags:manage"  # define tags and custom fields; setting them is documents:write
    automations_read = "automations:read"
    automations_write = "automations:write"


class BuiltinRole(StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"
    viewer = "viewer"


TEAM_PERMISSIONS = frozenset(Permission) - {Permission.system_admin}

BUILTIN_ROLE_PERMISSIONS: dict[BuiltinRole, frozenset[Permission]] = {
    BuiltinRole.owner: TEAM_PERMISSIONS,
    BuiltinRole.admin: TEAM_PERMISSIONS,
    BuiltinRole.member: frozenset(
        {
            Permission.documents_read,
            Permission.documents_write,
            Permission.documents_delete,
            Permission.analytics_read,
            Permission.keys_manage,
            Permission.webhooks_manage,
            Permission.datasets_read,
            Permission.datasets_write,
            Permission.workflows_read,
            Permission.workflows_write,
            Permission.automations_read,
        }
    ),
    BuiltinRole.viewer: frozenset(
        {
            Permission.documents_read,
            Permission.analytics_read,
            Permission.datasets_read,
            Permission.workflows_read,
        }
    ),
}
