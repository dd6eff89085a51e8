"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema."""

from folio.analytics.models import HistogramBucket
from folio.audit.models import AuditEntry
from folio.auth.models import AuthSession, OneTimeToken, RecoveryCode, RefreshToken
from folio.automations.models import AutomationRule, AutomationRun
from folio.batches.models import Batch
from folio.classifiers.models import ClassifierModel, DocumentLabel
from folio.core.db import Base
from folio.crawls.models import CrawlChunk, CrawlJob
from folio.credits.models import CreditAccount, CreditTransaction
from folio.datasets.models import Dataset
from folio.directory.models import (
    DirectoryAccount,
    DirectorySyncRun,
    LdapDirectory,
    ScimToken,
)
from folio.documents.models import Document, DocumentPage, DocumentVersion, ProcessingSettings
from folio.encryption.models import EncryptionKeyUse
from folio.erasure.models import ErasureRequest
from folio.events.models import EventRecord
from folio.extractions.models import ExtractionCorrection
from folio.idempotency.models import IdempotencyRecord
from folio.images.models import CrawledImage
from folio.jobs.models import Job
from folio.keys.models import ApiKey
from folio.notifications.models import Notification, NotificationPreference
from folio.projects.models import Project
from folio.recommendations.models import DocumentRecommendation, RecommendationAction
from folio.redactions.models import Redaction
from folio.reports.models import Report, ReportSchedule
from folio.retention.models import LegalHold, PurgeRecord, RetentionPolicy
from folio.security_scans.models import SecurityEvent
from folio.shares.models import DocumentShare
from folio.sso.models import IdentityProvider, SsoFlow, SsoIdentity, SsoSession
from folio.tags.models import CustomField, DocumentFieldValue, DocumentTag, Tag
from folio.teams.models import Invitation, Membership, Role, RoleAssignment, Team
from folio.templates.models import Extraction, ExtractionTemplate, ExtractionTemplateVersion
from folio.tickets.models import Ticket
from folio.usage.models import RequestUsage, UsageCounter
from folio.users.models import User
from folio.webhooks.models import WebhookDelivery, WebhookEndpoint
from folio.workflows.models import (
    WorkflowEntry,
    WorkflowInstance,
    WorkflowTask,
    WorkflowTemplate,
)

__all__ = [
    "ApiKey",
    "AuditEntry",
    "AuthSession",
    "AutomationRule",
    "AutomationRun",
    "Base",
    "Batch",
    "ClassifierModel",
    "CrawlChunk",
    "CrawlJob",
    "CrawledImage",
    "CreditAccount",
    "CreditTransaction",
    "CustomField",
    "Dataset",
    "DirectoryAccount",
    "DirectorySyncRun",
    "Document",
    "DocumentFieldValue",
    "DocumentLabel",
    "DocumentPage",
    "DocumentRecommendation",
    "DocumentShare",
    "DocumentTag",
    "DocumentVersion",
    "EncryptionKeyUse",
    "ErasureRequest",
    "EventRecord",
    "Extraction",
    "ExtractionCorrection",
    "ExtractionTemplate",
    "ExtractionTemplateVersion",
    "HistogramBucket",
    "IdempotencyRecord",
    "IdentityProvider",
    "Invitation",
    "Job",
    "LdapDirectory",
    "LegalHold",
    "Membership",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "ProcessingSettings",
    "Project",
    "PurgeRecord",
    "RecommendationAction",
    "RecoveryCode",
    "Redaction",
    "RefreshToken",
    "Report",
    "ReportSchedule",
    "RequestUsage",
    "RetentionPolicy",
    "Role",
    "RoleAssignment",
    "ScimToken",
    "SecurityEvent",
    "SsoFlow",
    "SsoIdentity",
    "SsoSession",
    "Tag",
    "Team",
    "Ticket",
    "UsageCounter",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkflowEntry",
    "WorkflowInstance",
    "WorkflowTask",
    "WorkflowTemplate",
]
