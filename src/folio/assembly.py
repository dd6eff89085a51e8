"""The composition root: the runtime every process builds, with the domains that consume the
event log. ``app.py``, the Celery worker and scripts build their runtime here, so each process
that emits events records the same webhook deliveries and notifications with them."""

from __future__ import annotations

from folio.config import Settings
from folio.core.runtime import EventConsumer, Runtime
from folio.core.runtime import build_runtime as build_core_runtime
from folio.notifications.service import notification as notification_service
from folio.webhooks.service import webhook as webhook_service

EVENT_CONSUMERS: tuple[EventConsumer, ...] = (
    webhook_service.enqueue_for_events,
    notification_service.from_events,
)


def build_runtime(settings: Settings) -> Runtime:
    return build_core_runtime(settings, event_consumers=EVENT_CONSUMERS)
