"""Names shared by the producers and consumers of events."""

from __future__ import annotations

# The ``team_id`` of events meant for everyone: they are stored like any other (so sockets
# catch up on them) but belong to no team.
SYSTEM_TEAM_ID = "system"
SYSTEM_WIDE = frozenset({"system.status", "system.maintenance", "system.broadcast"})
ANALYTICS_REALTIME = "analytics.realtime"
DOCUMENT_SHARED = "team.document_shared"
# Not in the catalog: ``access.changed`` (folio.core.events.ACCESS_CHANGED) is internal. It
# travels on the bus only, to re-check WebSocket connections, and is never stored, delivered
# to a webhook or a notification, or sent to a socket.

# Workflows (folio.workflows): every transition of an instance or a task. Their ``data``
# carries ``recipient_user_ids``: the people the in-app notification goes to.
WORKFLOW_STARTED = "workflow.started"
WORKFLOW_TASK_ASSIGNED = "workflow.task_assigned"  # opened, or reassigned to someone new
WORKFLOW_TASK_APPROVED = "workflow.task_approved"
WORKFLOW_TASK_REJECTED = "workflow.task_rejected"
WORKFLOW_TASK_OVERDUE = "workflow.task_overdue"  # a reminder
WORKFLOW_STEP_EXECUTED = "workflow.step_executed"  # an automatic step ran (or failed)
WORKFLOW_COMMENTED = "workflow.commented"
WORKFLOW_COMPLETED = "workflow.completed"
WORKFLOW_REJECTED = "workflow.rejected"
WORKFLOW_CANCELLED = "workflow.cancelled"
WORKFLOW_EVENTS = frozenset(
    {
        WORKFLOW_STARTED,
        WORKFLOW_TASK_ASSIGNED,
        WORKFLOW_TASK_APPROVED,
        WORKFLOW_TASK_REJECTED,
        WORKFLOW_TASK_OVERDUE,
        WORKFLOW_STEP_EXECUTED,
        WORKFLOW_COMMENTED,
        WORKFLOW_COMPLETED,
        WORKFLOW_REJECTED,
        WORKFLOW_CANCELLED,
    }
)
# an automation rule's notify action: folio.notifications makes the in-app notifications
AUTOMATION_NOTIFICATION = "automation.notification"
# an automation rule paused after failing too often in a row (a notification says so)
AUTOMATION_PAUSED = "automation.paused"
# a template was applied to a document (and its validation rules did not pass)
EXTRACTION_COMPLETED = "extraction.completed"
VALIDATION_FAILED = "validation.failed"
# an erasure request (folio.erasure) finished; ``recipient_user_id`` is who asked for it
ERASURE_COMPLETED = "erasure.completed"
