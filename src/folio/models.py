"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema."""

from folio.audit.models import AuditEntry
from folio.auth.models import AuthSession, OneTimeToken, RecoveryCode, RefreshToken
from folio.batches.models import Batch
from folio.core.db import Base
from folio.documents.models import Document, DocumentPage
from folio.events.models import EventRecord
from folio.idempotency.models import IdempotencyRecord
from folio.jobs.models import Job
from folio.keys.models import ApiKey
from folio.notifications.models import Notification, NotificationPreference
from folio.teams.models import Invitation, Membership, Role, RoleAssignment, Team
from folio.usage.models import RequestUsage, UsageCounter
from folio.users.models import User
from folio.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "AuditEntry",
    "AuthSession",
    "Base",
    "Batch",
    "Document",
    "DocumentPage",
    "EventRecord",
    "IdempotencyRecord",
    "Invitation",
    "Job",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "RecoveryCode",
    "RefreshToken",
    "RequestUsage",
    "Role",
    "RoleAssignment",
    "Team",
    "UsageCounter",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
