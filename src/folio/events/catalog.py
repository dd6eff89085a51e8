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
# an automation rule's notify action: folio.notifications makes the in-app notifications
AUTOMATION_NOTIFICATION = "automation.notification"
# an automation rule paused after failing too often in a row (a notification says so)
AUTOMATION_PAUSED = "automation.paused"
# a template was applied to a document (and its validation rules did not pass)
EXTRACTION_COMPLETED = "extraction.completed"
VALIDATION_FAILED = "validation.failed"
